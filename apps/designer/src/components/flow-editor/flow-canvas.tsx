"use client";

import {
  Background,
  type Connection,
  type EdgeTypes,
  type FinalConnectionState,
  type NodeChange,
  type NodeTypes,
  ReactFlow,
  useReactFlow,
  useStore,
  useStoreApi,
} from "@xyflow/react";
import { Keyboard, Map as MapIcon, Maximize, Minus, Plus } from "lucide-react";
import {
  type DragEvent,
  type MouseEvent as ReactMouseEvent,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { useShallow } from "zustand/react/shallow";
import { TEMPLATE_MIME } from "../../lib/project-template";
import { useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";
import type { BmsEdge, BmsNode, CommentNode, GroupNode } from "../../store/flow-graph";
import { Banner } from "../ui/banner";
import { CanvasContextMenu, type ContextMenuRequest } from "./canvas-context-menu";
import { CommentNodeView } from "./comment-node-view";
import { watchDragAbort } from "./drag-abort";
import { shortcutKeys, shortcutText } from "./editor-shortcuts";
import { FarWires } from "./far-wires";
import { FlowNodeView } from "./flow-node-view";
import { GroupNodeView } from "./group-node-view";
import { CULL_FLOW_NODES, FAR_ZOOM, LARGE_FLOW_NODES } from "./large-flow";
import { CanvasDetail, refreshHandlesAfterFar, useFarSelector } from "./level-of-detail";
import { createLiveDrag, isDragFrame } from "./live-drag";
import { EdgeValuesShown, hasRuntime, LiveEdge } from "./live-edge";
import type { MinimapToggle } from "./minimap-dock";
import { LIBRARY_MIME, PALETTE_MIME } from "./node-palette";
import { withKnownGeometry } from "./node-size";

/** Module scope on purpose: a nodeTypes object recreated per render makes React Flow remount nodes (error002). */
const nodeTypes: NodeTypes = { bms: FlowNodeView, comment: CommentNodeView, group: GroupNodeView };
/** Every edge draws as a bezier with its last live value at the middle (only when monitoring and readable). */
const edgeTypes: EdgeTypes = { default: LiveEdge };

/*
 * Every prop below is one object for the page's life, and every handler is a stable callback: React Flow
 * copies each changed prop into its store, one update (and one run of every node's and edge's selector)
 * per prop. A literal here cost a dozen such updates on every drag frame at 2,000 nodes.
 */
const ONE_TO_ONE = { x: 0, y: 0, zoom: 1 };
const FIT_VIEW_OPTIONS = { maxZoom: 1.2, padding: 0.2 };
const SNAP_GRID: [number, number] = [8, 8];
const PRO_OPTIONS = { hideAttribution: true };
const DEFAULT_EDGE_OPTIONS = { style: { strokeWidth: 2 } };
const DELETE_KEYS = shortcutKeys("delete");
const MULTI_SELECTION_KEYS = shortcutKeys("add-to-selection");

/** Only finished position changes: what React Flow sends for an arrow-key move (and for a drop). */
function isKeyboardMove(changes: readonly NodeChange<BmsNode | CommentNode | GroupNode>[]): boolean {
  return changes.length > 0 && changes.every((c) => c.type === "position" && c.dragging === false);
}

/** The wires React Flow is handed while far: none (far-wires.tsx draws them all in one svg). */
const NO_EDGES: BmsEdge[] = [];

/** Below this zoom the dot grid is a few pixels apart: noise to the eye, and costly to rasterise. */
const BACKGROUND_MIN_ZOOM = 0.35;

/** Re-renders only when the zoom crosses the threshold, not on every pan/zoom frame. */
function CanvasBackground() {
  const visible = useStore((s) => s.transform[2] >= BACKGROUND_MIN_ZOOM);
  return visible ? <Background gap={16} /> : null;
}

const toolButton =
  "inline-flex h-7 items-center gap-1 rounded border border-slate-300 bg-white px-2 text-xs text-slate-700 hover:bg-slate-100 disabled:opacity-50";

/** Zoom out, the zoom level, zoom in and fit: in the toolbar, so they never sit on a node. */
function ZoomControls() {
  const { zoomIn, zoomOut, fitView } = useReactFlow();
  const zoom = useStore((s) => s.transform[2]);
  return (
    <div className="flex items-center gap-1" data-testid="zoom-controls">
      <button
        type="button"
        className={toolButton}
        onClick={() => void zoomOut({ duration: 150 })}
        aria-label="Zoom out"
        data-testid="zoom-out"
      >
        <Minus className="size-3.5" />
      </button>
      {/*
       * The text sits in a box of its own size (contain: strict) inside the flex item: its change on each
       * zoom step lays out only that box (a flex item is no relayout boundary; the page was laid out again).
       */}
      <span className="inline-block h-4 w-10">
        <span
          className="block h-4 w-10 text-center text-[11px] leading-4 tabular-nums text-slate-600 [contain:strict]"
          data-testid="zoom-level"
        >
          {Math.round(zoom * 100)} %
        </span>
      </span>
      <button
        type="button"
        className={toolButton}
        onClick={() => void zoomIn({ duration: 150 })}
        aria-label="Zoom in"
        data-testid="zoom-in"
      >
        <Plus className="size-3.5" />
      </button>
      <button
        type="button"
        className={toolButton}
        onClick={() => void fitView({ padding: 0.2, maxZoom: 1.2, duration: 200 })}
        title="Fit the whole flow in view"
        data-testid="zoom-fit"
      >
        <Maximize className="size-3.5" /> Fit
      </button>
    </div>
  );
}

/** Dropped by the BACnet browser: a point with what is needed to preconfigure a node. */
export const POINT_MIME = "application/x-bms-point";
export interface DroppedPoint {
  point: string;
  name: string;
  commandable: boolean;
}

/**
 * The project's canvas has a minimap dock and the shortcut sheet; a sub-flow's inner canvas (opened over
 * it) has neither, so it leaves both props out and shows no Map or ? button.
 */
export function FlowCanvas({
  onShowShortcuts,
  minimap,
}: {
  onShowShortcuts?: () => void;
  minimap?: MinimapToggle;
}) {
  const store = useEditorStoreApi();
  const {
    nodes,
    comments,
    groups,
    edges,
    onNodesChange,
    onEdgesChange,
    connect,
    checkConnection,
    addNode,
    beginMove,
    cancelMove,
    nudgeNodes,
  } = useEditorStore(
    useShallow((s) => ({
      nodes: s.nodes,
      comments: s.comments,
      groups: s.groups,
      edges: s.edges,
      onNodesChange: s.onNodesChange,
      onEdgesChange: s.onEdgesChange,
      connect: s.connect,
      checkConnection: s.checkConnection,
      addNode: s.addNode,
      beginMove: s.beginMove,
      cancelMove: s.cancelMove,
      nudgeNodes: s.nudgeNodes,
    })),
  );
  const connectionError = useEditorStore((s) => s.connectionError);
  const comparison = useEditorStore((s) => s.comparison);
  const setComparison = useEditorStore((s) => s.setComparison);
  const setConnectionError = useEditorStore((s) => s.setConnectionError);
  const focusRequest = useEditorStore((s) => s.focusRequest);
  const setViewport = useEditorStore((s) => s.setViewport);
  const [menu, setMenu] = useState<ContextMenuRequest | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  const { screenToFlowPosition, setCenter, getNode, fitView } = useReactFlow<BmsNode, BmsEdge>();
  // Fit a loaded flow once; an empty canvas starts at 1:1 so the first drop does not make the view jump.
  // Decided once at mount: were it recomputed, the first dropped node would flip `fitView` on and the view would jump.
  const [{ initialViewport, fitOnLoad, startFar }] = useState(() => {
    const { flowData, nodes: initialNodes } = store.getState();
    const fitOnLoad = !flowData.viewport && initialNodes.length > 0;
    // A large flow opens fitted (far out) or at its saved view: its first render already has the right
    // level of detail, so 2,000 full nodes are not mounted only to be replaced by boxes.
    const startFar =
      initialNodes.length > LARGE_FLOW_NODES && (fitOnLoad || (flowData.viewport?.zoom ?? 1) < FAR_ZOOM);
    return { initialViewport: flowData.viewport, fitOnLoad, startFar };
  });

  useEffect(() => {
    if (!focusRequest) return;
    const node = getNode(focusRequest.nodeId);
    if (node) setCenter(node.position.x + 110, node.position.y + 50, { zoom: 1.2, duration: 300 });
  }, [focusRequest, getNode, setCenter]);

  const flowStore = useStoreApi<BmsNode | CommentNode | GroupNode, BmsEdge>();
  // A drag in progress moves only the dragged nodes in React Flow's lookup; the drop goes to the store
  // (live-drag.ts). One instance for the canvas's life: it holds the live positions between frames.
  const [liveDrag] = useState(() =>
    createLiveDrag(flowStore, (id) => store.getState().groups.find((g) => g.id === id)?.data.members),
  );
  // The drag in progress (`live` from its start to its stop): whether Escape cancelled it, whether its
  // drop reached the store, and how to stop watching for the ends React Flow does not see (drag-abort.ts).
  const drag = useRef({ live: false, cancelled: false, dropped: false, unwatch: () => {} });
  useEffect(() => () => drag.current.unwatch(), []);
  const onLiveNodesChange = useCallback(
    (changes: NodeChange<BmsNode | CommentNode | GroupNode>[]) => {
      if (isDragFrame(changes) && liveDrag.frame(changes)) return;
      // Finished moves with no drag live are React Flow's arrow-key moves of the selection: a burst of
      // them is one undo step and one autosave (the store's nudgeNodes).
      if (!drag.current.live && isKeyboardMove(changes)) {
        liveDrag.settle(changes);
        nudgeNodes(changes);
        return;
      }
      // A cancelled drag's drop is not a change: the nodes go back to where the store has them.
      if (drag.current.cancelled && changes.every((c) => c.type === "position")) return;
      if (changes.some((c) => c.type === "position" && c.dragging === false)) drag.current.dropped = true;
      liveDrag.settle(changes);
      onNodesChange(changes);
    },
    [liveDrag, onNodesChange, nudgeNodes],
  );

  // Frames first, then notes, then nodes: the drawing order matches the z order.
  // Flow nodes go with their known size and handles (node-size.ts): nothing to measure on opening.
  // Adopted mid-drag (the store changed under it), the list keeps the dragged nodes where they are.
  const allNodes = useMemo(() => {
    const sized = nodes.map((n) => withKnownGeometry(n, edges));
    return liveDrag.overlay(comments.length || groups.length ? [...groups, ...comments, ...sized] : sized);
  }, [groups, comments, nodes, edges, liveDrag]);
  const anySelected = useEditorStore((s) => s.nodes.some((n) => n.selected));
  const large = nodes.length > LARGE_FLOW_NODES;
  // The level of detail (level-of-detail.ts): re-renders only when the zoom crosses its thresholds.
  const largeNow = useRef(large);
  largeNow.current = large;
  const far = useStore(useFarSelector(() => largeNow.current, startFar, fitOnLoad));
  const wasFar = useRef(far);
  useEffect(() => {
    // Full nodes are in the DOM once this runs (a parent's effects run after its children's).
    if (wasFar.current && !far) refreshHandlesAfterFar(flowStore.getState() as never);
    wasFar.current = far;
  }, [far, flowStore]);
  const shownEdges = comparison ? comparison.edges : edges;
  const culled = nodes.length > CULL_FLOW_NODES;
  const showsEdgeValues = useEditorStore(hasRuntime);

  // Entering or leaving a comparison shows the whole flow: a change off screen would go unseen.
  // (Not on mount: the saved viewport is what the user left.)
  const comparing = useRef<boolean | null>(null);
  useEffect(() => {
    const now = comparison !== null;
    if (comparing.current === null || comparing.current === now) {
      comparing.current = now;
      if (!now) return;
    }
    comparing.current = now;
    const timer = setTimeout(() => void fitView({ padding: 0.15, maxZoom: 1.2 }), 50);
    return () => clearTimeout(timer);
  }, [comparison, fitView]);

  const onDragOver = useCallback((event: DragEvent) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      event.preventDefault();
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      const centred = { x: position.x - 110, y: position.y - 30 };
      const type = event.dataTransfer.getData(PALETTE_MIME);
      if (type) {
        addNode(type, centred);
        return;
      }
      const template = event.dataTransfer.getData(TEMPLATE_MIME);
      if (template) {
        // A template drops as a paste whose top-left node lands where the pointer is.
        const { nodes: saved } = JSON.parse(template) as { nodes: { position?: { x: number; y: number } }[] };
        const left = Math.min(...saved.map((n) => n.position?.x ?? 0));
        const top = Math.min(...saved.map((n) => n.position?.y ?? 0));
        store.getState().paste(template, { x: Math.round(centred.x - left), y: Math.round(centred.y - top) });
        return;
      }
      const definitionId = event.dataTransfer.getData(LIBRARY_MIME);
      if (definitionId) {
        store.getState().addLibraryInstance(definitionId, centred);
        return;
      }
      const pointText = event.dataTransfer.getData(POINT_MIME);
      if (pointText) {
        const point = JSON.parse(pointText) as DroppedPoint;
        const id = addNode(point.commandable ? "actuator_write" : "sensor_read", centred, {
          point: point.point,
        });
        if (id) store.getState().updateNodeMeta(id, { label: point.name.slice(0, 100) });
      }
    },
    [addNode, screenToFlowPosition, store],
  );

  const openMenu = useCallback(
    (event: MouseEvent | ReactMouseEvent, kind: ContextMenuRequest["kind"]) => {
      event.preventDefault();
      if (comparison) return;
      const at = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      setMenu({ kind, x: event.clientX, y: event.clientY, at });
    },
    [comparison, screenToFlowPosition],
  );

  // A right-click on a node outside the selection acts on that node alone, as file managers do.
  const onNodeContextMenu = useCallback(
    (event: ReactMouseEvent, node: BmsNode | CommentNode | GroupNode) => {
      const s = store.getState();
      const all = [...s.nodes, ...s.comments, ...s.groups];
      if (!node.selected) {
        s.onNodesChange(
          all
            .filter((n) => Boolean(n.selected) !== (n.id === node.id))
            .map((n) => ({ type: "select" as const, id: n.id, selected: n.id === node.id })),
        );
      }
      const selected = node.selected ? all.filter((n) => n.selected).length : 1;
      openMenu(event, selected > 1 ? "selection" : "node");
    },
    [openMenu, store],
  );

  // While a node is dragged nothing else can be hovered or hit: the canvas says so (an attribute set
  // directly, no render) and globals.css takes the other nodes and the wires out of the hit test, which
  // cost a fifth of every drag frame at 2,000 nodes.
  const canvasRef = useRef<HTMLDivElement>(null);
  const onNodeDragStart = useCallback(
    (event: MouseEvent | TouchEvent) => {
      canvasRef.current?.setAttribute("data-dragging", "true");
      beginMove();
      drag.current.unwatch();
      const now = { live: true, cancelled: false, dropped: false, unwatch: () => {} };
      drag.current = now;
      // d3-drag's source event: a TouchEvent for a finger names it for the watcher.
      now.unwatch = watchDragAbort(
        window,
        (how) => {
          now.cancelled = how === "cancel";
        },
        event,
      );
    },
    [beginMove],
  );
  const onNodeDragStop = useCallback(() => {
    canvasRef.current?.removeAttribute("data-dragging");
    const ended = drag.current;
    ended.unwatch();
    // The next changes are not this drag's: a cancelled drag must not swallow later moves (arrow keys).
    drag.current = { live: false, cancelled: false, dropped: false, unwatch: () => {} };
    if (ended.cancelled) {
      liveDrag.clear();
      cancelMove();
      return;
    }
    // React Flow drops before it stops, so nothing is left live; if a drag ended without its drop (no
    // pointer up seen), what is on screen becomes the document all the same.
    const left = [...liveDrag.positions()];
    if (left.length > 0) {
      const drop = left.map(([id, position]) => ({
        type: "position" as const,
        id,
        position,
        dragging: false,
      }));
      liveDrag.settle(drop);
      onNodesChange(drop);
    }
    // A drag that moved nothing leaves no undo step.
    else if (!ended.dropped) cancelMove();
  }, [liveDrag, onNodesChange, cancelMove]);

  const onConnect = useCallback((c: Connection) => void connect(c), [connect]);
  // Selecting a node is asking about it: bring its properties back from Versions or BACnet.
  const onNodeClick = useCallback(
    (_event: ReactMouseEvent, node: BmsNode | CommentNode | GroupNode) => {
      if (node.type === "bms") store.getState().showSidePanel("properties");
    },
    [store],
  );
  // While the pane is dragged, a transparent shield over the canvas takes the pointer (globals.css): each
  // pointer move's hit test stops at it instead of walking 2,000 nodes, and nothing else is restyled (a
  // rule on the pane's dragging class restyled every node at each pan's start and end). An attribute set
  // directly, no render. A wheel zoom is not a press: no shield.
  const onMoveStart = useCallback(
    (event: MouseEvent | TouchEvent | null) => {
      closeMenu();
      if (event?.type === "mousedown" || event?.type === "pointerdown")
        canvasRef.current?.setAttribute("data-panning", "true");
    },
    [closeMenu],
  );
  const onMoveEnd = useCallback(
    (_event: unknown, viewport: { x: number; y: number; zoom: number }) => {
      canvasRef.current?.removeAttribute("data-panning");
      setViewport(viewport);
    },
    [setViewport],
  );
  const onSelectionContextMenu = useCallback(
    (event: ReactMouseEvent) => openMenu(event, "selection"),
    [openMenu],
  );
  const onPaneContextMenu = useCallback(
    (event: MouseEvent | ReactMouseEvent) => openMenu(event, "pane"),
    [openMenu],
  );

  const isValidConnection = useCallback(
    (connection: Connection | BmsEdge) => checkConnection(connection) === null,
    [checkConnection],
  );

  // React Flow silently drops an invalid connection; say why, where the user is looking.
  const onConnectEnd = useCallback(
    (_event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || !state.fromHandle || !state.toHandle) return;
      const from = state.fromHandle;
      const to = state.toHandle;
      const connection: Connection =
        from.type === "source"
          ? {
              source: from.nodeId,
              sourceHandle: from.id ?? null,
              target: to.nodeId,
              targetHandle: to.id ?? null,
            }
          : {
              source: to.nodeId,
              sourceHandle: to.id ?? null,
              target: from.nodeId,
              targetHandle: from.id ?? null,
            };
      setConnectionError(checkConnection(connection) ?? "That connection is not allowed.");
    },
    [checkConnection, setConnectionError],
  );

  return (
    <div className="flex h-full w-full flex-col">
      {/* The toolbar sits above the node area, never on top of a node. */}
      <div
        className="flex h-9 shrink-0 items-center gap-1 border-b border-slate-200 bg-slate-50 px-2"
        data-testid="canvas-toolbar"
      >
        <button
          type="button"
          className={`${toolButton} border-amber-300 bg-amber-50 text-amber-900 hover:bg-amber-100`}
          data-testid="add-comment"
          disabled={comparison !== null}
          onClick={() => {
            const box = document.querySelector('[data-testid="flow-canvas"]')?.getBoundingClientRect();
            const at = box ? screenToFlowPosition({ x: box.left + 40, y: box.top + 60 }) : { x: 0, y: 0 };
            store.getState().addComment(at);
          }}
        >
          + Comment
        </button>
        <button
          type="button"
          className={`${toolButton} border-indigo-300 bg-indigo-50 text-indigo-900 hover:bg-indigo-100`}
          data-testid="group-selection"
          title={`Frame the selected nodes in a group that moves them together (${shortcutText("group")})`}
          disabled={comparison !== null || !anySelected}
          onClick={() => store.getState().groupSelection()}
        >
          Group
        </button>
        <div className="ml-auto flex items-center gap-1">
          <ZoomControls />
          {minimap ? (
            <button
              type="button"
              className={toolButton}
              aria-pressed={minimap.open}
              onClick={() => minimap.setOpen(!minimap.open)}
              title={minimap.open ? "Hide the minimap" : "Show the minimap"}
              data-testid="minimap-toggle"
            >
              <MapIcon className="size-3.5" /> Map
            </button>
          ) : null}
          {onShowShortcuts ? (
            <button
              type="button"
              className={toolButton}
              onClick={onShowShortcuts}
              title={`Keyboard shortcuts (${shortcutText("shortcuts")})`}
              data-testid="shortcuts-button"
            >
              <Keyboard className="size-3.5" /> ?
            </button>
          ) : null}
        </div>
      </div>
      <div className="flex min-h-0 flex-1">
        <div
          ref={canvasRef}
          className="relative h-full min-w-0 flex-1"
          data-testid="flow-canvas"
          data-large={large}
          data-lod={far ? "far" : "near"}
          onDragOver={onDragOver}
          onDrop={onDrop}
        >
          <CanvasDetail.Provider value={far ? "far" : "near"}>
            <EdgeValuesShown.Provider value={showsEdgeValues}>
              <ReactFlow<BmsNode | CommentNode | GroupNode, BmsEdge>
                nodes={comparison ? comparison.nodes : allNodes}
                edges={far ? NO_EDGES : shownEdges}
                nodeTypes={nodeTypes}
                edgeTypes={edgeTypes}
                nodesConnectable={!comparison}
                {...(comparison ? {} : { onNodesChange: onLiveNodesChange, onEdgesChange })}
                onConnect={onConnect}
                onConnectEnd={onConnectEnd}
                isValidConnection={isValidConnection}
                onNodeDragStart={onNodeDragStart}
                onNodeDragStop={onNodeDragStop}
                onNodeClick={onNodeClick}
                onMoveEnd={onMoveEnd}
                onNodeContextMenu={onNodeContextMenu}
                onSelectionContextMenu={onSelectionContextMenu}
                onPaneContextMenu={onPaneContextMenu}
                onMoveStart={onMoveStart}
                {...(fitOnLoad ? { fitView: true } : { defaultViewport: initialViewport ?? ONE_TO_ONE })}
                fitViewOptions={FIT_VIEW_OPTIONS}
                deleteKeyCode={DELETE_KEYS}
                onlyRenderVisibleElements={culled}
                snapToGrid
                snapGrid={SNAP_GRID}
                multiSelectionKeyCode={MULTI_SELECTION_KEYS}
                // A selected frame must stay behind its members, or they could not be clicked inside it.
                elevateNodesOnSelect={false}
                minZoom={0.05}
                maxZoom={2.5}
                proOptions={PRO_OPTIONS}
                defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
              >
                <CanvasBackground />
                <div className="pan-shield" aria-hidden="true" />
                {far ? <FarWires edges={shownEdges} /> : null}
              </ReactFlow>
            </EdgeValuesShown.Provider>
          </CanvasDetail.Provider>
          {comparison ? (
            <div className="pointer-events-auto absolute left-3 top-3 z-10 max-w-[70%] shadow-lg">
              <Banner tone="info" onDismiss={() => setComparison(null)} data-testid="comparison-banner">
                <span className="font-semibold">
                  Comparing {comparison.fromLabel} → {comparison.toLabel}
                </span>
                : <span data-testid="comparison-summary">{comparison.summary}</span>
                <span className="ml-2 text-xs text-slate-600">
                  green added · amber changed · red removed · blue moved (read-only)
                </span>
                <button
                  type="button"
                  className="ml-3 rounded border border-sky-400 px-1.5 text-xs hover:bg-sky-100"
                  onClick={() => setComparison(null)}
                  data-testid="exit-comparison"
                >
                  Back to editing
                </button>
              </Banner>
            </div>
          ) : null}
          {connectionError ? (
            <div className="pointer-events-auto absolute left-1/2 top-3 z-10 w-[min(560px,90%)] -translate-x-1/2 shadow-lg">
              <Banner tone="error" onDismiss={() => setConnectionError(null)} data-testid="connection-error">
                Connection refused. {connectionError}
              </Banner>
            </div>
          ) : null}
          {menu ? <CanvasContextMenu request={menu} onClose={closeMenu} /> : null}
        </div>
      </div>
    </div>
  );
}

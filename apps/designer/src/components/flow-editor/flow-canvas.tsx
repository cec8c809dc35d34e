"use client";

import {
  Background,
  type Connection,
  Controls,
  type EdgeTypes,
  type FinalConnectionState,
  MiniMap,
  type NodeTypes,
  Panel,
  ReactFlow,
  useReactFlow,
  useStore,
} from "@xyflow/react";
import { type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { TEMPLATE_MIME } from "../../lib/project-template";
import { useEditorStore, useEditorStoreApi } from "../../store/editor-store-provider";
import type { BmsEdge, BmsNode, CommentNode, GroupNode } from "../../store/flow-graph";
import { Banner } from "../ui/banner";
import { CommentNodeView } from "./comment-node-view";
import { FlowNodeView } from "./flow-node-view";
import { GroupNodeView } from "./group-node-view";
import { LiveEdge } from "./live-edge";
import { PALETTE_MIME } from "./node-palette";

/** Module scope on purpose: a nodeTypes object recreated per render makes React Flow remount nodes (error002). */
const nodeTypes: NodeTypes = { bms: FlowNodeView, comment: CommentNodeView, group: GroupNodeView };
/** Every edge draws as a bezier with its last live value at the middle (only when monitoring and readable). */
const edgeTypes: EdgeTypes = { default: LiveEdge };

/** Past this many nodes the canvas trades some looks for frame time (see globals.css). */
const LARGE_FLOW_NODES = 200;

/** Below this zoom the dot grid is a few pixels apart: noise to the eye, and costly to rasterise. */
const BACKGROUND_MIN_ZOOM = 0.35;

/** Re-renders only when the zoom crosses the threshold, not on every pan/zoom frame. */
function CanvasBackground() {
  const visible = useStore((s) => s.transform[2] >= BACKGROUND_MIN_ZOOM);
  return visible ? <Background gap={16} /> : null;
}

/** Dropped by the BACnet browser: a point with what is needed to preconfigure a node. */
export const POINT_MIME = "application/x-bms-point";
export interface DroppedPoint {
  point: string;
  name: string;
  commandable: boolean;
}

export function FlowCanvas() {
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
    })),
  );
  const connectionError = useEditorStore((s) => s.connectionError);
  const comparison = useEditorStore((s) => s.comparison);
  const setComparison = useEditorStore((s) => s.setComparison);
  const setConnectionError = useEditorStore((s) => s.setConnectionError);
  const focusRequest = useEditorStore((s) => s.focusRequest);
  const setViewport = useEditorStore((s) => s.setViewport);
  const { screenToFlowPosition, setCenter, getNode, fitView } = useReactFlow<BmsNode, BmsEdge>();
  // Fit a loaded flow once; an empty canvas starts at 1:1 so the first drop does not make the view jump.
  // Decided once at mount: were it recomputed, the first dropped node would flip `fitView` on and the view would jump.
  const [{ initialViewport, fitOnLoad }] = useState(() => {
    const { flowData, nodes: initialNodes } = store.getState();
    return { initialViewport: flowData.viewport, fitOnLoad: !flowData.viewport && initialNodes.length > 0 };
  });

  useEffect(() => {
    if (!focusRequest) return;
    const node = getNode(focusRequest.nodeId);
    if (node) setCenter(node.position.x + 110, node.position.y + 50, { zoom: 1.2, duration: 300 });
  }, [focusRequest, getNode, setCenter]);

  // Frames first, then notes, then nodes: the drawing order matches the z order.
  const allNodes = useMemo(
    () => (comments.length || groups.length ? [...groups, ...comments, ...nodes] : nodes),
    [groups, comments, nodes],
  );
  const anySelected = useEditorStore((s) => s.nodes.some((n) => n.selected));

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
    <div
      className="relative h-full w-full"
      data-testid="flow-canvas"
      data-large={nodes.length > LARGE_FLOW_NODES}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <ReactFlow<BmsNode | CommentNode | GroupNode, BmsEdge>
        nodes={comparison ? comparison.nodes : allNodes}
        edges={comparison ? comparison.edges : edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        nodesConnectable={!comparison}
        {...(comparison ? {} : { onNodesChange, onEdgesChange })}
        onConnect={(c) => {
          connect(c);
        }}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onNodeDragStart={() => beginMove()}
        // Selecting a node is asking about it: bring its properties back from Versions or BACnet.
        onNodeClick={(_event, node) => {
          if (node.type === "bms") store.getState().showSidePanel("properties");
        }}
        onMoveEnd={(_e, viewport) => setViewport(viewport)}
        {...(fitOnLoad ? { fitView: true } : { defaultViewport: initialViewport ?? { x: 0, y: 0, zoom: 1 } })}
        fitViewOptions={{ maxZoom: 1.2, padding: 0.2 }}
        deleteKeyCode={["Backspace", "Delete"]}
        // Large flows: skip drawing what is off screen (pan/zoom stays smooth at 500+ nodes).
        onlyRenderVisibleElements={nodes.length > LARGE_FLOW_NODES}
        snapToGrid
        snapGrid={[8, 8]}
        multiSelectionKeyCode={["Meta", "Control", "Shift"]}
        // A selected frame must stay behind its members, or they could not be clicked inside it.
        elevateNodesOnSelect={false}
        minZoom={0.05}
        maxZoom={2.5}
        proOptions={{ hideAttribution: true }}
        defaultEdgeOptions={{ style: { strokeWidth: 2 } }}
      >
        <CanvasBackground />
        <Controls showInteractive={false} />
        <Panel position="top-left">
          <button
            type="button"
            className="rounded border border-amber-300 bg-amber-50 px-2 py-1 text-xs text-amber-900 shadow-sm hover:bg-amber-100"
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
            className="ml-1 rounded border border-indigo-300 bg-indigo-50 px-2 py-1 text-xs text-indigo-900 shadow-sm hover:bg-indigo-100 disabled:opacity-50"
            data-testid="group-selection"
            title="Frame the selected nodes in a group that moves them together (Ctrl+G)"
            disabled={comparison !== null || !anySelected}
            onClick={() => store.getState().groupSelection()}
          >
            Group
          </button>
        </Panel>
        <MiniMap pannable zoomable data-testid="minimap" nodeStrokeWidth={3} />
      </ReactFlow>
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
    </div>
  );
}

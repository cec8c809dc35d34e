import {
  type FlowConfiguration,
  type FlowTestCase,
  type NodeExecutionStatus,
  nodeDisplayName,
  type PointValue,
  type ProjectDocument,
  type ProjectFlow,
  type SubflowDefinition,
} from "@bms/schemas";
import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from "@xyflow/react";
import { createStore } from "zustand/vanilla";
import { EMPTY_FLOW_DATA, emptyFlowConfiguration, type FlowData } from "../lib/flow-document";
import { describeNode, findPort, portsCompatible } from "../lib/node-catalog";
import { defaultConfig } from "../lib/zod-form";
import type { Comparison } from "./comparison";
import type { DebugOverlay, TestMark } from "./debug-overlay";
import {
  type BmsEdge,
  type BmsNode,
  type CommentNode,
  commentsFromFlowData,
  configurationFromGraph,
  edgeId,
  flowDataComments,
  flowDataGroups,
  GROUP_Z_INDEX,
  type GroupNode,
  graphFromConfiguration,
  groupFrame,
  groupsFromFlowData,
  nextNodeId,
} from "./flow-graph";

/**
 * What undo restores: the open flow's canvas and, for the tab operations, the other flows, which flow
 * is open and the library. Each snapshot is whole on its own (its `flows` entry for the open flow is
 * stale; the canvas fields hold that flow), so undo after switching tabs returns to the tab it edited.
 */
interface Snapshot {
  nodes: BmsNode[];
  comments: CommentNode[];
  groups: GroupNode[];
  edges: BmsEdge[];
  execution: FlowConfiguration["execution"];
  metadata: FlowConfiguration["metadata"];
  flowData: FlowData;
  flows: ProjectFlow[];
  activeFlowId: string;
  library: SubflowDefinition[];
}

export interface EditorState {
  projectId: string;
  projectName: string;
  /** The saved version the canvas started from (0 before the first save). */
  baseVersion: number;
  /**
   * Every flow of the project (its tabs), in tab order. The entry of the open flow is refreshed when
   * another tab opens or the document is read (`toDocument`); until then the canvas fields hold it.
   */
  flows: ProjectFlow[];
  /** The flow on the canvas. */
  activeFlowId: string;
  /** The project's subflow library (definitions instantiated as `subflow` nodes). */
  library: SubflowDefinition[];
  /** The project's flow test cases (issue 16), carried through saves; absent in older documents. */
  tests?: FlowTestCase[];
  metadata: FlowConfiguration["metadata"];
  execution: FlowConfiguration["execution"];
  flowData: FlowData;
  nodes: BmsNode[];
  /** Comments/groups: sticky notes drawn behind the nodes. */
  comments: CommentNode[];
  /** Groups: labelled frames that move their member nodes together (editor state only). */
  groups: GroupNode[];
  edges: BmsEdge[];
  /** Bumped on every document change: autosave and the unsaved guard watch it. */
  revision: number;
  savedRevision: number;
  past: Snapshot[];
  future: Snapshot[];
  /** The last refused connection, shown until dismissed or the next attempt. */
  connectionError: string | null;
  /** Set by the validation panel; the canvas centres on it. */
  focusRequest: { nodeId: string; nonce: number } | null;
  /** Last scan per node from the supervisor, for the overlay. */
  runtime: Record<string, NodeExecutionStatus>;
  /** The live debugger's breakpoints, pause and pins on the open flow (null while it is not shown). */
  debugOverlay: DebugOverlay | null;
  /** The last test run's verdicts per node of the open flow. */
  testMarks: Record<string, TestMark>;
  /** Live point values (canonical point ref → value) while editing. */
  pointValues: Record<string, PointValue>;
  /** The last supervisor failure seen by a poller; null once a call succeeds again. */
  supervisorError: string | null;
  supervisorErrorDismissed: boolean;
  /**
   * Objects per device as the supervisor knows them ("device/objectType:instance"), for the
   * unknown-point check. A device absent from the map has not been discovered.
   */
  knownObjects: Record<number, string[] | null> | null;
  /** Set while two versions are compared: the canvas shows this read-only view instead. */
  comparison: Comparison | null;
  /**
   * Set when a save or an autosave was refused because another version landed after baseVersion
   * (another tab, another user). Cleared by reloading or by a save on top of latestVersion.
   */
  conflict: { latestVersion: number } | null;
  /** The side panel's tab; selecting a node brings Properties back. */
  sidePanel: SidePanel;
}

export type SidePanel = "properties" | "versions" | "bacnet" | "modbus" | "mqtt" | "http";

export interface EditorActions {
  /** Opens another flow's tab (not an undo step: nothing in the document changes). */
  switchFlow(flowId: string): void;
  /** Adds an empty flow after the others and opens it; returns its id. */
  addFlow(name?: string): string;
  renameFlow(flowId: string, name: string): void;
  /** Moves a tab to another place in the tab order. */
  moveFlow(flowId: string, toIndex: number): void;
  /** A copy with its own flow id (a supervisor must tell them apart), opened after the original. */
  duplicateFlow(flowId: string): string | null;
  /** Removes a flow; the last one stays (a project holds at least one). Returns whether it went. */
  deleteFlow(flowId: string): boolean;
  /** Opens the flow holding `nodeId` and centres on the node (search across flows). */
  focusNodeInFlow(flowId: string, nodeId: string): void;
  /**
   * Adds or replaces a library definition (by id) in one undo step. Every instance, in every flow, takes
   * the definition's ports and labels at once (its inside is filled from the definition on deploy).
   */
  saveLibraryDefinition(definition: SubflowDefinition, coalesceKey?: string): void;
  /** Places an instance of a library definition (a `subflow` node bound to it); returns its id. */
  addLibraryInstance(definitionId: string, position: XYPosition): string | null;
  /** Every flow with the open one as it is on the canvas, and the library: what save and autosave send. */
  toDocument(): ProjectDocument;
  onNodesChange(changes: NodeChange<BmsNode | CommentNode | GroupNode>[]): void;
  /**
   * Moves the selection by an arrow key (React Flow's keyboard move). A burst of presses is one undo step
   * and one document change: the step is taken at the first press, and the change lands (one autosave)
   * once no arrow came for NUDGE_SETTLE_MS, or at once when anything else is done first.
   */
  nudgeNodes(changes: NodeChange<BmsNode | CommentNode | GroupNode>[]): void;
  /** Lands a burst of arrow moves now (autosave's last write before the tab goes away). */
  settleNudge(): void;
  addComment(position: XYPosition): string;
  updateComment(id: string, text: string): void;
  /** Frames the selected nodes in a new group (they leave any group they were in); returns its id. */
  groupSelection(): string | null;
  renameGroup(id: string, label: string): void;
  /** Removes the frame; its members stay where they are. */
  ungroup(id: string): void;
  /** Ungroups the selected groups, or the groups of the selected nodes; returns how many. */
  ungroupSelection(): number;
  /** flow_data as saved: viewport, comments and groups. */
  toFlowData(): FlowData;
  onEdgesChange(changes: EdgeChange<BmsEdge>[]): void;
  /** Checks ports and types; a refusal sets connectionError and returns its message. */
  connect(connection: Connection): string | null;
  checkConnection(connection: Connection | BmsEdge): string | null;
  addNode(type: string, position: XYPosition, config?: Record<string, unknown>): string | null;
  updateNodeConfig(nodeId: string, key: string, value: unknown): void;
  updateNodeMeta(nodeId: string, patch: { label?: string; alias?: string }): void;
  /**
   * Sets a port group's count ("+ input" / remove); wires on ports beyond the new count go with them,
   * in the same undo step.
   */
  setPortCount(nodeId: string, countField: string, count: number): void;
  /**
   * Replaces the flow's nodes and wires in one undo step (a whole-graph edit such as "make sub-flow");
   * comments and groups stay, a group keeps the members that still exist. `select` is selected after.
   */
  replaceGraph(
    flow: Pick<FlowConfiguration, "nodes" | "connections">,
    select?: string,
    /** A library definition the new graph instantiates, added in the same undo step. */
    library?: SubflowDefinition,
  ): void;
  setExecution(execution: FlowConfiguration["execution"]): void;
  deleteSelection(): void;
  /** Copies the selected nodes and the edges between them, as JSON for the clipboard. */
  copySelection(): string | null;
  paste(text: string, offset?: XYPosition): number;
  selectAll(): void;
  undo(): void;
  redo(): void;
  /** A drag starts: the state before it becomes the undo step its drop will be. */
  beginMove(): void;
  /**
   * The drag begun by `beginMove` changed nothing (cancelled with Escape, or no node moved): its undo step
   * goes (and the redo steps it cleared come back), and the canvas is handed the store's nodes again, so
   * React Flow drops whatever the drag drew live.
   */
  cancelMove(): void;
  focusNode(nodeId: string): void;
  setConnectionError(message: string | null): void;
  setRuntime(statuses: NodeExecutionStatus[] | null): void;
  setDebugOverlay(overlay: DebugOverlay | null): void;
  setTestMarks(marks: Record<string, TestMark>): void;
  /** Replaces the project's test cases (edited in the Tests panel; saved with the document, not an undo step). */
  setTests(tests: FlowTestCase[]): void;
  setPointValues(values: PointValue[]): void;
  setViewport(viewport: NonNullable<FlowData["viewport"]>): void;
  setComparison(comparison: Comparison | null): void;
  setConflict(conflict: { latestVersion: number } | null): void;
  showSidePanel(panel: SidePanel): void;
  reportSupervisor(error: string | null): void;
  dismissSupervisorError(): void;
  setKnownObjects(known: Record<number, string[] | null> | null): void;
  /** Replaces the document (load, restore, import); clears undo history. Keeps the open tab when it still exists. */
  loadDocument(input: { document: ProjectDocument; version: number; dirty?: boolean }): void;
  markSaved(version: number, revision: number, document?: ProjectDocument): void;
  setProjectName(name: string): void;
  toConfiguration(): FlowConfiguration;
}

export type EditorStore = EditorState & EditorActions;

/** What an instance node shows of its definition: its ports and their labels. */
export function instancePorts(definition: SubflowDefinition) {
  return {
    input_count: definition.input_count,
    output_count: definition.output_count,
    labels: definition.labels,
  };
}

const HISTORY_LIMIT = 200;
/** Typing into one field is one undo step, not one per keystroke. */
const COALESCE_MS = 1200;
/** Arrow presses this close together are one move: one undo step, one autosave. */
export const NUDGE_SETTLE_MS = 500;
export const CLIPBOARD_KIND = "bms-designer/nodes@1";

export interface EditorInit {
  projectId: string;
  projectName: string;
  version: number;
  document: ProjectDocument;
  /** The tab to open; default: the first flow. */
  activeFlowId?: string;
  /** A restored autosave draft: the canvas starts with unsaved changes. */
  dirty?: boolean;
}

export function createEditorStore(init: EditorInit) {
  let lastCoalesceKey = "";
  let lastCoalesceAt = 0;
  /** The undo step `beginMove` kept and the redo steps it cleared, until the drag ends. */
  let move: { step: Snapshot | undefined; future: Snapshot[] } | null = null;
  /** A burst of arrow moves whose document change has not landed yet: the timer that lands it. */
  let nudge: ReturnType<typeof setTimeout> | null = null;

  return createStore<EditorStore>()((set, get) => {
    const snapshot = (): Snapshot => {
      const { nodes, comments, groups, edges, execution, metadata, flowData, flows, activeFlowId, library } =
        get();
      return { nodes, comments, groups, edges, execution, metadata, flowData, flows, activeFlowId, library };
    };
    /** The open flow as it is on the canvas. */
    const liveFlow = (): ProjectFlow => ({
      configuration: get().toConfiguration(),
      flow_data: get().toFlowData(),
    });
    /** The flows with the open one's entry brought up to date. */
    const committedFlows = (): ProjectFlow[] => {
      const { flows, activeFlowId } = get();
      const live = liveFlow();
      return flows.map((f) => (f.configuration.metadata.flow_id === activeFlowId ? live : f));
    };
    /** The canvas fields for one flow. */
    const canvasOf = (flow: ProjectFlow) => {
      const graph = graphFromConfiguration(flow.configuration);
      return {
        activeFlowId: flow.configuration.metadata.flow_id,
        metadata: flow.configuration.metadata,
        execution: flow.configuration.execution,
        flowData: flow.flow_data,
        nodes: graph.nodes,
        edges: graph.edges,
        comments: commentsFromFlowData(flow.flow_data.comments),
        groups: groupsFromFlowData(flow.flow_data.groups ?? []),
      };
    };
    /** Opens `flowId` after storing the open flow; the runtime overlay belonged to the other flow. */
    const open = (flows: ProjectFlow[], flowId: string) => {
      const flow = flows.find((f) => f.configuration.metadata.flow_id === flowId) ?? flows[0]!;
      set({
        flows,
        ...canvasOf(flow),
        runtime: {},
        debugOverlay: null,
        testMarks: {},
        comparison: null,
        connectionError: null,
        focusRequest: null,
      });
    };
    const uniqueName = (wanted: string) => {
      const taken = new Set(get().flows.map((f) => f.configuration.metadata.flow_name));
      if (!taken.has(wanted)) return wanted;
      let n = 2;
      while (taken.has(`${wanted.slice(0, 90)} ${n}`)) n++;
      return `${wanted.slice(0, 90)} ${n}`;
    };
    /** Lands a pending burst of arrow moves: its undo step is already taken, its document change now. */
    const settleNudge = () => {
      if (nudge === null) return;
      clearTimeout(nudge);
      nudge = null;
      changed();
    };
    /** Records the state before a change, so undo returns to it. */
    const remember = (coalesceKey = "") => {
      // Any other change ends a burst of arrow moves first: the burst stays its own undo step.
      settleNudge();
      const now = Date.now();
      if (coalesceKey && coalesceKey === lastCoalesceKey && now - lastCoalesceAt < COALESCE_MS) {
        lastCoalesceAt = now;
        return;
      }
      lastCoalesceKey = coalesceKey;
      lastCoalesceAt = now;
      set((s) => ({ past: [...s.past.slice(-HISTORY_LIMIT + 1), snapshot()], future: [] }));
    };
    const changed = () => set((s) => ({ revision: s.revision + 1 }));

    /**
     * Applies React Flow's changes to the canvas (taking an undo step for a removal, an addition or a
     * finished resize) and answers whether the document changed; the caller says so (`changed`) or, for a
     * burst of arrow moves, says so later.
     */
    const applyCanvasChanges = (changes: NodeChange<BmsNode | CommentNode | GroupNode>[]): boolean => {
      const { comments, groups, nodes } = get();
      const commentIds = new Set(comments.map((c) => c.id));
      const groupIds = new Set(groups.map((g) => g.id));
      type AnyChange = NodeChange<BmsNode | CommentNode | GroupNode>;
      const idOf = (c: AnyChange) => ("id" in c ? c.id : c.item.id);
      const commentChanges = changes.filter((c) => commentIds.has(idOf(c))) as NodeChange<CommentNode>[];
      const groupChanges = changes.filter((c) => groupIds.has(idOf(c))) as NodeChange<GroupNode>[];
      const nodeChanges = changes.filter(
        (c) => !commentIds.has(idOf(c)) && !groupIds.has(idOf(c)),
      ) as NodeChange<BmsNode>[];
      // A moved frame carries its members by the same delta (those not already moving themselves).
      const movingIds = new Set(changes.filter((c) => c.type === "position").map(idOf));
      // Only a moved frame needs the lookup: building it for every drag frame of a node cost O(nodes).
      const byId = groupChanges.some((c) => c.type === "position")
        ? new Map(nodes.map((n) => [n.id, n]))
        : new Map<string, BmsNode>();
      for (const change of groupChanges) {
        if (change.type !== "position" || !change.position) continue;
        const group = groups.find((g) => g.id === change.id);
        if (!group) continue;
        const dx = change.position.x - group.position.x;
        const dy = change.position.y - group.position.y;
        if (dx === 0 && dy === 0) continue;
        for (const member of group.data.members) {
          const node = byId.get(member);
          if (!node || movingIds.has(member)) continue;
          movingIds.add(member);
          nodeChanges.push({
            type: "position",
            id: member,
            position: { x: node.position.x + dx, y: node.position.y + dy },
            ...(change.dragging !== undefined ? { dragging: change.dragging } : {}),
          });
        }
      }
      const structural = changes.some((c) => c.type === "remove" || c.type === "add");
      if (structural) remember();
      // A finished resize is a document change; the stream of intermediate sizes is not one undo step each.
      const resized = [...commentChanges, ...groupChanges].some(
        (c) => c.type === "dimensions" && c.resizing === false,
      );
      if (resized) remember("resize");
      // A drag in progress is not yet a document change: the drop (a position change with `dragging`
      // false) is. Bumping the revision on every drag frame revalidated the whole project per frame.
      const moved =
        changes.some(
          (c) => (c.type === "position" && c.dragging !== true) || c.type === "remove" || c.type === "add",
        ) || resized;
      set((s) => ({
        nodes: nodeChanges.length ? applyNodeChanges(nodeChanges, s.nodes) : s.nodes,
        comments: commentChanges.length ? applyNodeChanges(commentChanges, s.comments) : s.comments,
        groups: groupChanges.length ? applyNodeChanges(groupChanges, s.groups) : s.groups,
      }));
      // Edges of removed nodes go with them.
      if (changes.some((c) => c.type === "remove")) {
        const ids = new Set(get().nodes.map((n) => n.id));
        set((s) => ({ edges: s.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) }));
      }
      return moved;
    };

    const first =
      init.document.flows.find((f) => f.configuration.metadata.flow_id === init.activeFlowId) ??
      init.document.flows[0]!;
    return {
      projectId: init.projectId,
      projectName: init.projectName,
      baseVersion: init.version,
      flows: init.document.flows,
      library: init.document.library,
      tests: init.document.tests,
      ...canvasOf(first),
      revision: init.dirty ? 1 : 0,
      savedRevision: 0,
      past: [],
      future: [],
      connectionError: null,
      focusRequest: null,
      runtime: {},
      debugOverlay: null,
      testMarks: {},
      pointValues: {},
      comparison: null,
      conflict: null,
      sidePanel: "properties",
      supervisorError: null,
      supervisorErrorDismissed: false,
      knownObjects: null,

      switchFlow(flowId) {
        if (flowId === get().activeFlowId) return;
        if (!get().flows.some((f) => f.configuration.metadata.flow_id === flowId)) return;
        open(committedFlows(), flowId);
      },

      addFlow(name) {
        remember();
        const id = crypto.randomUUID();
        const configuration = emptyFlowConfiguration(id, uniqueName(name?.trim() || "New flow"));
        open([...committedFlows(), { configuration, flow_data: EMPTY_FLOW_DATA }], id);
        changed();
        return id;
      },

      renameFlow(flowId, name) {
        const flowName = name.trim().slice(0, 100);
        if (!flowName) return;
        remember(`flow-name:${flowId}`);
        const rename = (f: ProjectFlow): ProjectFlow =>
          f.configuration.metadata.flow_id === flowId
            ? {
                ...f,
                configuration: {
                  ...f.configuration,
                  metadata: { ...f.configuration.metadata, flow_name: flowName },
                },
              }
            : f;
        set((s) => ({
          flows: s.flows.map(rename),
          ...(s.activeFlowId === flowId ? { metadata: { ...s.metadata, flow_name: flowName } } : {}),
        }));
        changed();
      },

      moveFlow(flowId, toIndex) {
        const flows = get().flows;
        const from = flows.findIndex((f) => f.configuration.metadata.flow_id === flowId);
        const to = Math.max(0, Math.min(flows.length - 1, toIndex));
        if (from < 0 || from === to) return;
        remember();
        const next = [...flows];
        const [moved] = next.splice(from, 1);
        next.splice(to, 0, moved!);
        set({ flows: next });
        changed();
      },

      duplicateFlow(flowId) {
        const flows = committedFlows();
        const index = flows.findIndex((f) => f.configuration.metadata.flow_id === flowId);
        const source = flows[index];
        if (!source) return null;
        remember();
        const id = crypto.randomUUID();
        const copy: ProjectFlow = {
          ...structuredClone(source),
          configuration: {
            ...structuredClone(source.configuration),
            metadata: {
              ...source.configuration.metadata,
              flow_id: id,
              flow_name: uniqueName(`${source.configuration.metadata.flow_name} (copy)`),
            },
          },
        };
        open([...flows.slice(0, index + 1), copy, ...flows.slice(index + 1)], id);
        changed();
        return id;
      },

      deleteFlow(flowId) {
        const flows = committedFlows();
        const index = flows.findIndex((f) => f.configuration.metadata.flow_id === flowId);
        if (index < 0 || flows.length <= 1) return false;
        remember();
        const rest = flows.filter((_, i) => i !== index);
        if (get().activeFlowId === flowId)
          open(rest, rest[Math.min(index, rest.length - 1)]!.configuration.metadata.flow_id);
        else set({ flows: rest });
        changed();
        return true;
      },

      focusNodeInFlow(flowId, nodeId) {
        get().switchFlow(flowId);
        get().focusNode(nodeId);
      },

      saveLibraryDefinition(definition, coalesceKey) {
        remember(coalesceKey);
        const ports = instancePorts(definition);
        const refresh = (config: Record<string, unknown>, type: string) =>
          type === "subflow" && (config.library as { id?: unknown } | undefined)?.id === definition.id
            ? { ...config, ...ports, library: { ...(config.library as object), version: definition.version } }
            : config;
        set((s) => ({
          library: s.library.some((d) => d.id === definition.id)
            ? s.library.map((d) => (d.id === definition.id ? definition : d))
            : [...s.library, definition],
          nodes: s.nodes.map((n) => {
            const config = refresh(n.data.config, n.data.type);
            return config === n.data.config ? n : { ...n, data: { ...n.data, config } };
          }),
          flows: s.flows.map((f) => ({
            ...f,
            configuration: {
              ...f.configuration,
              nodes: f.configuration.nodes.map((n) => {
                const config = refresh(n.config, n.type);
                return config === n.config ? n : { ...n, config };
              }),
            },
          })),
        }));
        changed();
      },

      addLibraryInstance(definitionId, position) {
        const definition = get().library.find((d) => d.id === definitionId);
        if (!definition) return null;
        const taken = new Set(
          get()
            .nodes.map((n) => n.data.label)
            .filter(Boolean),
        );
        let n = 1;
        while (taken.has(`${definition.name} ${n}`)) n++;
        const id = get().addNode("subflow", position, {
          name: definition.name,
          ...instancePorts(definition),
          library: { id: definition.id, version: definition.version, points: {}, parameters: {} },
        });
        if (id) {
          // Not an undo step of its own: the label belongs to placing the instance.
          set((s) => ({
            nodes: s.nodes.map((node) =>
              node.id === id
                ? { ...node, data: { ...node.data, label: `${definition.name} ${n}`.slice(0, 100) } }
                : node,
            ),
          }));
        }
        return id;
      },

      toDocument() {
        const flows = committedFlows();
        const { tests } = get();
        if (!tests) return { flows, library: get().library };
        // A deleted flow takes its test cases with it (the document refuses a case naming no flow).
        const ids = new Set(flows.map((f) => f.configuration.metadata.flow_id));
        return { flows, library: get().library, tests: tests.filter((t) => ids.has(t.flow_id)) };
      },

      onNodesChange(changes) {
        if (applyCanvasChanges(changes)) changed();
      },

      nudgeNodes(changes) {
        if (nudge === null) remember();
        else clearTimeout(nudge);
        applyCanvasChanges(changes);
        nudge = setTimeout(settleNudge, NUDGE_SETTLE_MS);
      },

      settleNudge,

      groupSelection() {
        const selected = get().nodes.filter((n) => n.selected);
        if (selected.length === 0) return null;
        remember();
        const taken = new Set(get().groups.map((g) => g.id));
        let n = 1;
        while (taken.has(`group_${n}`)) n++;
        const id = `group_${n}`;
        const members = selected.map((node) => node.id);
        const memberSet = new Set(members);
        const frame = groupFrame(selected);
        const group: GroupNode = {
          id,
          type: "group",
          position: frame.position,
          width: frame.width,
          height: frame.height,
          zIndex: GROUP_Z_INDEX,
          selected: true,
          data: { label: `Group ${n}`, members },
        };
        set((s) => ({
          // A node belongs to one group at most; a frame left empty goes away.
          groups: [
            ...s.groups
              .map((g) =>
                g.data.members.some((m) => memberSet.has(m))
                  ? { ...g, data: { ...g.data, members: g.data.members.filter((m) => !memberSet.has(m)) } }
                  : g,
              )
              .filter((g) => g.data.members.length > 0)
              .map((g) => (g.selected ? { ...g, selected: false } : g)),
            group,
          ],
          nodes: s.nodes.map((node) => (node.selected ? { ...node, selected: false } : node)),
        }));
        changed();
        return id;
      },

      renameGroup(id, label) {
        remember(`group:${id}`);
        set((s) => ({
          groups: s.groups.map((g) =>
            g.id === id ? { ...g, data: { ...g.data, label: label.slice(0, 200) } } : g,
          ),
        }));
        changed();
      },

      ungroup(id) {
        if (!get().groups.some((g) => g.id === id)) return;
        remember();
        set((s) => ({ groups: s.groups.filter((g) => g.id !== id) }));
        changed();
      },

      ungroupSelection() {
        const { groups, nodes } = get();
        const selectedNodes = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
        const doomed = new Set(
          groups
            .filter((g) => g.selected || g.data.members.some((m) => selectedNodes.has(m)))
            .map((g) => g.id),
        );
        if (doomed.size === 0) return 0;
        remember();
        set((s) => ({ groups: s.groups.filter((g) => !doomed.has(g.id)) }));
        changed();
        return doomed.size;
      },

      addComment(position) {
        remember();
        const taken = new Set(get().comments.map((c) => c.id));
        let n = 1;
        while (taken.has(`comment_${n}`)) n++;
        const id = `comment_${n}`;
        const comment: CommentNode = {
          id,
          type: "comment",
          position: { x: Math.round(position.x), y: Math.round(position.y) },
          width: 260,
          height: 140,
          zIndex: -1,
          data: { text: "" },
        };
        set((s) => ({ comments: [...s.comments, comment] }));
        changed();
        return id;
      },

      updateComment(id, text) {
        remember(`comment:${id}`);
        set((s) => ({
          comments: s.comments.map((c) => (c.id === id ? { ...c, data: { text: text.slice(0, 2000) } } : c)),
        }));
        changed();
      },

      toFlowData() {
        const s = get();
        return {
          ...(s.flowData.viewport ? { viewport: s.flowData.viewport } : {}),
          comments: flowDataComments(s.comments),
          groups: flowDataGroups(s.groups, new Set(s.nodes.map((n) => n.id))),
        };
      },

      onEdgesChange(changes) {
        const structural = changes.some((c) => c.type === "remove" || c.type === "add");
        if (structural) remember();
        set((s) => ({ edges: applyEdgeChanges(changes, s.edges) }));
        if (structural) changed();
      },

      checkConnection(connection) {
        const { nodes, edges } = get();
        const source = nodes.find((n) => n.id === connection.source);
        const target = nodes.find((n) => n.id === connection.target);
        if (!source || !target) return "Connect an output to an input of another node.";
        if (source.id === target.id) return "A node cannot feed itself; use a delay or feedback node.";
        const out = findPort(source.data.type, "output", connection.sourceHandle);
        const input = findPort(target.data.type, "input", connection.targetHandle);
        if (!out || !input) return "Connect an output (right side) to an input (left side).";
        // Named as the canvas draws them: the node's label (or its type and id), then the port's label.
        const named = (n: BmsNode) =>
          nodeDisplayName({ id: n.id, type: n.data.type, label: n.data.label }, describeNode(n.data.type));
        if (!portsCompatible(out.type, input.type)) {
          return `Type mismatch: ${named(source)}: ${out.label ?? out.name} is ${out.type}, ${named(target)}: ${input.label ?? input.name} needs ${input.type}.`;
        }
        const occupied = edges.some(
          (e) =>
            e.target === target.id &&
            e.targetHandle === input.name &&
            !("id" in connection && e.id === connection.id),
        );
        if (occupied && !input.multiple) {
          return `${named(target)}: ${input.label ?? input.name} is already connected; delete that connection first.`;
        }
        return null;
      },

      connect(connection) {
        const problem = get().checkConnection(connection);
        if (problem) {
          set({ connectionError: problem });
          return problem;
        }
        const c = {
          from_node: connection.source,
          from_output: connection.sourceHandle ?? "",
          to_node: connection.target,
          to_input: connection.targetHandle ?? "",
        };
        const id = edgeId(c);
        if (get().edges.some((e) => e.id === id)) return null;
        remember();
        set((s) => ({
          connectionError: null,
          edges: [
            ...s.edges,
            {
              id,
              source: c.from_node,
              sourceHandle: c.from_output,
              target: c.to_node,
              targetHandle: c.to_input,
            },
          ],
        }));
        changed();
        return null;
      },

      addNode(type, position, config) {
        const descriptor = describeNode(type);
        if (!descriptor) return null;
        remember();
        const id = nextNodeId(type, new Set(get().nodes.map((n) => n.id)));
        const node: BmsNode = {
          id,
          type: "bms",
          // Whole pixels: what is saved is exactly what was on screen.
          position: { x: Math.round(position.x), y: Math.round(position.y) },
          selected: true,
          data: {
            type,
            version: descriptor.version,
            config: { ...defaultConfig(descriptor.config), ...config },
            runtime_options: {},
          },
        };
        set((s) => ({ nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] }));
        changed();
        return id;
      },

      updateNodeConfig(nodeId, key, value) {
        remember(`config:${nodeId}:${key}`);
        set((s) => ({
          nodes: s.nodes.map((n) => {
            if (n.id !== nodeId) return n;
            const config = { ...n.data.config };
            if (value === undefined) delete config[key];
            else config[key] = value;
            return { ...n, data: { ...n.data, config } };
          }),
        }));
        changed();
      },

      updateNodeMeta(nodeId, patch) {
        remember(`meta:${nodeId}:${Object.keys(patch).join(",")}`);
        set((s) => ({
          nodes: s.nodes.map((n) => {
            if (n.id !== nodeId) return n;
            const data = { ...n.data };
            for (const [k, v] of Object.entries(patch) as ["label" | "alias", string | undefined][]) {
              if (v === undefined || v === "") delete data[k];
              else data[k] = v;
            }
            return { ...n, data };
          }),
        }));
        changed();
      },

      setPortCount(nodeId, countField, count) {
        const node = get().nodes.find((n) => n.id === nodeId);
        const descriptor = node ? describeNode(node.data.type) : undefined;
        if (!node || !descriptor) return;
        const removed = (ports: readonly { name: string; repeat?: { count: string; index: number } }[]) =>
          new Set(
            ports.filter((p) => p.repeat?.count === countField && p.repeat.index >= count).map((p) => p.name),
          );
        const goneIn = removed(descriptor.inputs);
        const goneOut = removed(descriptor.outputs);
        remember();
        set((s) => ({
          nodes: s.nodes.map((n) =>
            n.id === nodeId
              ? { ...n, data: { ...n.data, config: { ...n.data.config, [countField]: count } } }
              : n,
          ),
          edges: s.edges.filter(
            (e) =>
              !(e.target === nodeId && goneIn.has(e.targetHandle ?? "")) &&
              !(e.source === nodeId && goneOut.has(e.sourceHandle ?? "")),
          ),
        }));
        changed();
      },

      replaceGraph(flow, select, library) {
        remember();
        if (library) set((s) => ({ library: [...s.library.filter((d) => d.id !== library.id), library] }));
        const { nodes, edges } = graphFromConfiguration({ ...get().toConfiguration(), ...flow });
        const ids = new Set(nodes.map((n) => n.id));
        set((s) => ({
          nodes: nodes.map((n) => (n.id === select ? { ...n, selected: true } : n)),
          edges,
          groups: s.groups
            .map((g) => ({ ...g, data: { ...g.data, members: g.data.members.filter((m) => ids.has(m)) } }))
            .filter((g) => g.data.members.length > 0),
        }));
        changed();
      },

      setExecution(execution) {
        remember("execution");
        set({ execution });
        changed();
      },

      deleteSelection() {
        const { nodes, edges, comments, groups } = get();
        const removedNodes = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
        const keptEdges = edges.filter(
          (e) => !e.selected && !removedNodes.has(e.source) && !removedNodes.has(e.target),
        );
        const keptComments = comments.filter((c) => !c.selected);
        // Deleting a frame ungroups: its members stay on the canvas.
        const keptGroups = groups.filter((g) => !g.selected);
        if (
          removedNodes.size === 0 &&
          keptEdges.length === edges.length &&
          keptComments.length === comments.length &&
          keptGroups.length === groups.length
        )
          return;
        remember();
        set({
          nodes: nodes.filter((n) => !removedNodes.has(n.id)),
          edges: keptEdges,
          comments: keptComments,
          groups: keptGroups,
        });
        changed();
      },

      copySelection() {
        const { nodes, edges } = get();
        const selected = nodes.filter((n) => n.selected);
        if (selected.length === 0) return null;
        const ids = new Set(selected.map((n) => n.id));
        const flow = configurationFromGraph(
          get(),
          selected,
          edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
        );
        return JSON.stringify({ kind: CLIPBOARD_KIND, nodes: flow.nodes, connections: flow.connections });
      },

      paste(text, offset = { x: 40, y: 40 }) {
        let payload: { kind?: unknown; nodes?: unknown; connections?: unknown };
        try {
          payload = JSON.parse(text) as typeof payload;
        } catch {
          return 0;
        }
        if (payload.kind !== CLIPBOARD_KIND || !Array.isArray(payload.nodes)) return 0;
        const sourceNodes = payload.nodes as FlowConfiguration["nodes"];
        const sourceConnections = (
          Array.isArray(payload.connections) ? payload.connections : []
        ) as FlowConfiguration["connections"];
        const taken = new Set(get().nodes.map((n) => n.id));
        const takenAliases = new Set(
          get()
            .nodes.map((n) => n.data.alias)
            .filter(Boolean),
        );
        const rename = new Map<string, string>();
        const added: BmsNode[] = [];
        for (const n of sourceNodes) {
          if (!n || typeof n.type !== "string" || !describeNode(n.type)) continue;
          const id = nextNodeId(n.type, taken);
          taken.add(id);
          rename.set(n.id, id);
          const { nodes } = graphFromConfiguration({
            ...get().toConfiguration(),
            nodes: [n],
            connections: [],
          });
          const node = nodes[0]!;
          // An alias must stay unique in the flow: a clashing one gets the first free _2, _3 … suffix.
          let alias = node.data.alias;
          if (alias && takenAliases.has(alias)) {
            const base = alias.replace(/_\d+$/, "").slice(0, 60);
            let n = 2;
            while (takenAliases.has(`${base}_${n}`)) n++;
            alias = `${base}_${n}`;
          }
          if (alias) takenAliases.add(alias);
          const { alias: _dropped, ...data } = node.data;
          added.push({
            ...node,
            id,
            selected: true,
            position: { x: node.position.x + offset.x, y: node.position.y + offset.y },
            data: alias ? { ...data, alias } : data,
          });
        }
        if (added.length === 0) return 0;
        remember();
        const newEdges: BmsEdge[] = sourceConnections
          .filter((c) => rename.has(c.from_node) && rename.has(c.to_node))
          .map((c) => {
            const renamed = { ...c, from_node: rename.get(c.from_node)!, to_node: rename.get(c.to_node)! };
            return {
              id: edgeId(renamed),
              source: renamed.from_node,
              sourceHandle: renamed.from_output,
              target: renamed.to_node,
              targetHandle: renamed.to_input,
            };
          });
        set((s) => ({
          nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...added],
          edges: [...s.edges, ...newEdges],
        }));
        changed();
        return added.length;
      },

      selectAll() {
        set((s) => ({ nodes: s.nodes.map((n) => ({ ...n, selected: true })) }));
      },

      undo() {
        // Undo right after arrow presses takes back the whole burst.
        settleNudge();
        const { past } = get();
        const previous = past[past.length - 1];
        if (!previous) return;
        lastCoalesceKey = "";
        set((s) => ({ ...previous, past: s.past.slice(0, -1), future: [snapshot(), ...s.future] }));
        changed();
      },

      redo() {
        settleNudge();
        const [next, ...rest] = get().future;
        if (!next) return;
        lastCoalesceKey = "";
        set((s) => ({ ...next, future: rest, past: [...s.past, snapshot()] }));
        changed();
      },

      beginMove() {
        const { future } = get();
        remember();
        move = { step: get().past.at(-1), future };
      },

      cancelMove() {
        const begun = move;
        move = null;
        set((s) => ({
          // Only if nothing was remembered since: a later step is not the drag's to take back.
          ...(begun && begun.step === s.past.at(-1)
            ? { past: s.past.slice(0, -1), future: begun.future }
            : {}),
          nodes: [...s.nodes],
          comments: [...s.comments],
          groups: [...s.groups],
        }));
      },

      focusNode(nodeId) {
        set((s) => ({
          sidePanel: "properties",
          focusRequest: { nodeId, nonce: (s.focusRequest?.nonce ?? 0) + 1 },
          nodes: s.nodes.map((n) => ({ ...n, selected: n.id === nodeId })),
        }));
      },

      setConnectionError(message) {
        set({ connectionError: message });
      },

      setDebugOverlay(overlay) {
        set({ debugOverlay: overlay });
      },

      setTestMarks(marks) {
        set({ testMarks: marks });
      },

      setTests(tests) {
        set({ tests });
        changed();
      },

      setRuntime(statuses) {
        if (!statuses) {
          set({ runtime: {} });
          return;
        }
        set({ runtime: Object.fromEntries(statuses.map((s) => [s.node_id, s])) });
      },

      setPointValues(values) {
        // Upsert: the canvas poller and the BACnet browser each read their own points.
        set((s) => ({
          pointValues: { ...s.pointValues, ...Object.fromEntries(values.map((v) => [v.point, v])) },
        }));
      },

      setViewport(viewport) {
        set((s) => ({ flowData: { ...s.flowData, viewport } }));
      },

      setComparison(comparison) {
        set({ comparison });
      },

      setConflict(conflict) {
        set({ conflict });
      },

      showSidePanel(sidePanel) {
        set({ sidePanel });
      },

      reportSupervisor(error) {
        const current = get().supervisorError;
        if (error === current) return;
        // A new kind of failure shows again even if the previous banner was dismissed.
        set({
          supervisorError: error,
          supervisorErrorDismissed:
            error === null ? false : get().supervisorErrorDismissed && current !== null,
        });
      },

      dismissSupervisorError() {
        set({ supervisorErrorDismissed: true });
      },

      setKnownObjects(knownObjects) {
        set({ knownObjects });
      },

      loadDocument({ document, version, dirty }) {
        // A burst of arrow moves on the document being replaced has nothing left to land on.
        if (nudge !== null) clearTimeout(nudge);
        nudge = null;
        const flow =
          document.flows.find((f) => f.configuration.metadata.flow_id === get().activeFlowId) ??
          document.flows[0]!;
        set((s) => ({
          flows: document.flows,
          library: document.library,
          tests: document.tests,
          ...canvasOf(flow),
          runtime: {},
          baseVersion: version,
          past: [],
          future: [],
          revision: s.revision + 1,
          savedRevision: dirty ? s.savedRevision : s.revision + 1,
          comparison: null,
          conflict: null,
        }));
      },

      markSaved(version, revision, document) {
        // The server stamps each flow's metadata with the version; the canvas keeps everything else.
        const stamped = new Map(
          (document?.flows ?? []).map((f) => [f.configuration.metadata.flow_id, f.configuration.metadata]),
        );
        set((s) => ({
          baseVersion: version,
          conflict: null,
          savedRevision: Math.max(s.savedRevision, revision),
          flows: s.flows.map((f) => {
            const metadata = stamped.get(f.configuration.metadata.flow_id);
            return metadata
              ? {
                  ...f,
                  configuration: {
                    ...f.configuration,
                    metadata: { ...metadata, flow_name: f.configuration.metadata.flow_name },
                  },
                }
              : f;
          }),
          ...(stamped.has(s.activeFlowId)
            ? { metadata: { ...stamped.get(s.activeFlowId)!, flow_name: s.metadata.flow_name } }
            : {}),
        }));
      },

      setProjectName(projectName) {
        set({ projectName });
      },

      toConfiguration() {
        const s = get();
        return configurationFromGraph(s, s.nodes, s.edges);
      },
    };
  });
}

export type EditorStoreApi = ReturnType<typeof createEditorStore>;

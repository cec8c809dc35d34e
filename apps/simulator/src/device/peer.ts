/** Where a request came from and where its reply goes: the UDP source, plus the NPDU source if routed. */
export interface Peer {
  address: string;
  port: number;
  /** SNET/SADR of a routed request; the reply then carries them as DNET/DADR. */
  net?: number;
  adr?: number[];
}

export function peerKey(peer: Peer): string {
  return `${peer.address}:${peer.port}/${peer.net ?? 0}:${(peer.adr ?? []).join(".")}`;
}

import { apiGet } from "../api/client";
import { Card, Stale } from "../components/status";
import { usePoll } from "../use-poll";

/** GET /api/devices/network: the routers the supervisor learned and the networks behind each. */
export interface NetworkMapResponse {
  routers: { address: string; networks: number[] }[];
  networks: { network: number; router: string; source: string }[];
}

/** A device's route in the listing: `network`/`mac` are null on the supervisor's own B/IP network. */
export interface Routed {
  address: string;
  network?: number | null;
  mac?: number[] | null;
}

/** Which networks sit behind which router, with the known devices on each (counted from their routes). */
export function NetworkMap({ devices }: { devices: Routed[] }) {
  const map = usePoll(() => apiGet<NetworkMapResponse>("/api/devices/network"), 10_000);
  const count = (network: number | null) => devices.filter((d) => (d.network ?? null) === network).length;
  return (
    <Card title="Network map" testId="network-map" wide>
      <Stale error={map.error} />
      <table class="table compact" data-testid="network-map-table">
        <thead>
          <tr>
            <th>Network</th>
            <th>Reached through</th>
            <th class="num">Devices</th>
          </tr>
        </thead>
        <tbody>
          <tr data-testid="network-row" data-network="local">
            <td>Local BACnet/IP</td>
            <td class="muted">directly</td>
            <td class="num">{count(null)}</td>
          </tr>
          {(map.data?.routers ?? []).flatMap((router) =>
            router.networks.map((network) => (
              <tr key={`${router.address}/${network}`} data-testid="network-row" data-network={network}>
                <td class="mono">{network}</td>
                <td class="mono small">router {router.address}</td>
                <td class="num" data-testid="network-device-count">
                  {count(network)}
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </Card>
  );
}

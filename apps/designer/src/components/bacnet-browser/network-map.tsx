"use client";

import { Network } from "lucide-react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { runtimeCall } from "../../lib/designer-api";
import type { DeviceListing } from "./bacnet-types";

/** What GET /api/devices/network answers (read leniently: the supervisor may add fields). */
const NetworkMapSchema = z.object({
  routers: z.array(z.object({ address: z.string(), networks: z.array(z.number().int()) })).default([]),
  networks: z
    .array(z.object({ network: z.number().int(), router: z.string(), source: z.string().optional() }))
    .default([]),
});
type NetworkMap = z.infer<typeof NetworkMapSchema>;

/**
 * Which networks sit behind which router, and how many known devices each holds: the supervisor's
 * own B/IP network first, then each router with its networks. Devices are counted from the listing
 * (their route), so a network a router announced but no device answered on shows 0.
 */
export function NetworkMapPanel({
  supervisorId,
  listing,
}: {
  supervisorId: string;
  listing: DeviceListing | null;
}) {
  const [map, setMap] = useState<NetworkMap | null>(null);
  const [error, setError] = useState<string | null>(null);
  const deviceCount = listing?.devices.length ?? 0;

  // Reloaded whenever the device list changes size: a discovery also learns routers.
  // biome-ignore lint/correctness/useExhaustiveDependencies: deviceCount is the reload trigger
  useEffect(() => {
    let cancelled = false;
    void runtimeCall<unknown>("devices/network", { supervisor: supervisorId }).then((result) => {
      if (cancelled) return;
      if (!result.ok) {
        setError(result.error);
        return;
      }
      const parsed = NetworkMapSchema.safeParse(result.body);
      setError(parsed.success ? null : "The supervisor's network map has an unexpected shape.");
      if (parsed.success) setMap(parsed.data);
    });
    return () => {
      cancelled = true;
    };
  }, [supervisorId, deviceCount]);

  const devices = listing?.devices ?? [];
  const count = (network: number | null) => devices.filter((d) => (d.network ?? null) === network).length;
  return (
    <section className="rounded border border-slate-200 p-2" data-testid="bacnet-network-map">
      <h3 className="mb-1 flex items-center gap-1 font-semibold text-slate-700">
        <Network className="size-3.5" /> Network map
      </h3>
      {error ? <p className="text-red-700">{error}</p> : null}
      <ul className="space-y-0.5">
        <li data-testid="network-map-local">
          Local BACnet/IP network · <span className="font-mono">{count(null)}</span> devices
        </li>
        {map?.routers.map((router) => (
          <li key={router.address} data-testid="network-map-router" data-router={router.address}>
            Router <span className="font-mono">{router.address}</span>
            <ul className="ml-4">
              {router.networks.map((network) => (
                <li key={network} data-testid={`network-map-net-${network}`}>
                  Network <span className="font-mono">{network}</span> ·{" "}
                  <span className="font-mono" data-testid="network-device-count">
                    {count(network)}
                  </span>{" "}
                  devices
                </li>
              ))}
            </ul>
          </li>
        ))}
        {map && map.routers.length === 0 ? (
          <li className="text-slate-500">No router found: every device is on the local network.</li>
        ) : null}
      </ul>
    </section>
  );
}

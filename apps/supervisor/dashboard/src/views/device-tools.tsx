import { useState } from "preact/hooks";
import { apiSend } from "../api/client";
import { ActionButton } from "../components/action-button";

/**
 * Commissioning services and the device report for one device (the routes are admin only). Each
 * service asks for confirmation naming the device; the password is sent with that one request and
 * the field is emptied after, never stored.
 */
export function DeviceTools({ deviceId, name }: { deviceId: number; name: string }) {
  const [dccState, setDccState] = useState("disable");
  const [minutes, setMinutes] = useState(15);
  const [reinit, setReinit] = useState("warmstart");
  const [password, setPassword] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const who = `${name} (#${deviceId})`;
  const secret = () => (password ? { password } : {});
  const done = (what: string) => () => {
    setPassword("");
    setSent(`${what} sent to ${who}.`);
  };
  const post = (path: string, body: unknown) => apiSend("POST", `/api/devices/${deviceId}/${path}`, body);
  return (
    <div class="stack small" data-testid="device-tools" data-device={deviceId}>
      <div class="toolbar">
        <ActionButton
          testId="device-time-sync"
          confirm={`Set the clock of ${who} to the supervisor's local time?`}
          run={() => post("time-sync", { utc: false })}
          onDone={done("Time synchronization")}
        >
          Time sync
        </ActionButton>
        <ActionButton
          testId="device-utc-time-sync"
          confirm={`Set the clock of ${who} to the supervisor's UTC time?`}
          run={() => post("time-sync", { utc: true })}
          onDone={done("UTC time synchronization")}
        >
          UTC time sync
        </ActionButton>
        <a class="btn" href={`/api/devices/${deviceId}/report.txt`} download data-testid="device-report-text">
          Report (EPICS text)
        </a>
        <a
          class="btn"
          href={`/api/devices/${deviceId}/report`}
          download={`device-${deviceId}-epics.json`}
          data-testid="device-report-json"
        >
          Report (JSON)
        </a>
      </div>
      <div class="toolbar">
        <label>
          Device password{" "}
          <input
            type="password"
            autocomplete="off"
            maxLength={20}
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
            data-testid="device-password"
          />
        </label>
        <select
          value={dccState}
          onChange={(e) => setDccState((e.target as HTMLSelectElement).value)}
          data-testid="device-dcc-state"
        >
          <option value="enable">Enable</option>
          <option value="disable">Disable</option>
          <option value="disable_initiation">Disable initiation</option>
        </select>
        <label>
          for{" "}
          <input
            type="number"
            min={0}
            max={65535}
            value={minutes}
            onInput={(e) => setMinutes(Number((e.target as HTMLInputElement).value))}
            data-testid="device-dcc-minutes"
          />{" "}
          min (0 = until enabled)
        </label>
        <ActionButton
          testId="device-communication"
          kind="danger"
          confirm={`Device communication control "${dccState}" on ${who} for ${minutes || "unlimited"} minutes? A disabled device stops answering the supervisor too.`}
          run={() => post("communication", { state: dccState, minutes, ...secret() })}
          onDone={done("Device communication control")}
        >
          Communication
        </ActionButton>
        <select
          value={reinit}
          onChange={(e) => setReinit((e.target as HTMLSelectElement).value)}
          data-testid="device-reinit-state"
        >
          <option value="warmstart">Warm start</option>
          <option value="coldstart">Cold start</option>
        </select>
        <ActionButton
          testId="device-reinitialize"
          kind="danger"
          confirm={`Reinitialize ${who} (${reinit})? The controller restarts.`}
          run={() => post("reinitialize", { state: reinit, ...secret() })}
          onDone={done("Reinitialize")}
        >
          Reinitialize
        </ActionButton>
      </div>
      {sent ? (
        <div role="status" data-testid="device-tools-outcome">
          {sent}
        </div>
      ) : null}
    </div>
  );
}

import { SupervisorsSettings } from "../../components/settings/supervisors-settings";

export default function SettingsPage() {
  return <SupervisorsSettings />;
}

import { Box, icons, type LucideProps } from "lucide-react";

function pascal(name: string): string {
  return name
    .split(/[-_\s]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

/** The node library names icons in lucide's kebab case; an unknown name falls back to a box. */
export function NodeIcon({ name, ...props }: { name: string } & LucideProps) {
  const Icon = icons[pascal(name) as keyof typeof icons] ?? Box;
  return <Icon {...props} />;
}

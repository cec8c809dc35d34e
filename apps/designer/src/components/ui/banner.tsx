import { X } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "../../lib/cn";

const tones = {
  error: "border-red-300 bg-red-50 text-red-900",
  warning: "border-amber-300 bg-amber-50 text-amber-900",
  info: "border-sky-300 bg-sky-50 text-sky-900",
  success: "border-emerald-300 bg-emerald-50 text-emerald-900",
} as const;

/** A dismissible notice: supervisor trouble must be visible but must never block editing. */
export function Banner({
  tone,
  children,
  onDismiss,
  className,
  ...rest
}: {
  tone: keyof typeof tones;
  children: ReactNode;
  onDismiss?: () => void;
  className?: string;
  "data-testid"?: string;
}) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={cn("flex items-start gap-2 border px-3 py-2 text-sm", tones[tone], className)}
      {...rest}
    >
      <div className="min-w-0 flex-1">{children}</div>
      {onDismiss ? (
        <button
          type="button"
          aria-label="Dismiss"
          onClick={onDismiss}
          className="rounded p-0.5 hover:bg-black/5"
        >
          <X className="size-4" />
        </button>
      ) : null}
    </div>
  );
}

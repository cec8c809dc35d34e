"use client";

import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";

export type NoticeTone = "error" | "warning" | "info" | "success";

export interface Notice {
  id: number;
  /** A notice of the same kind replaces the previous one (a second "saved" is not a second banner). */
  kind: string;
  tone: NoticeTone;
  content: ReactNode;
}

/** More than this and the canvas shrinks under a wall of banners. */
export const MAX_NOTICES = 3;

/**
 * How long each tone stays. Errors stay until dismissed: a failed deploy or save must not vanish
 * while the user looks elsewhere.
 */
export const NOTICE_TIMEOUT_MS: Record<NoticeTone, number | null> = {
  success: 6_000,
  info: 8_000,
  warning: 12_000,
  error: null,
};

/** The stack after `notice` arrives: same kind replaced, newest last, at most `max` (oldest non-error dropped first). */
export function pushNotice(stack: readonly Notice[], notice: Notice, max = MAX_NOTICES): Notice[] {
  const next = [...stack.filter((n) => n.kind !== notice.kind), notice];
  while (next.length > max) {
    const oldestTransient = next.findIndex((n) => n.tone !== "error");
    next.splice(oldestTransient === -1 ? 0 : oldestTransient, 1);
  }
  return next;
}

/** A banner stack: push, dismiss, and each non-error notice times out on its own. */
export function useNoticeStack() {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setNotices((stack) => stack.filter((n) => n.id !== id));
  }, []);

  const push = useCallback(
    (kind: string, tone: NoticeTone, content: ReactNode) => {
      const id = nextId.current++;
      setNotices((stack) => pushNotice(stack, { id, kind, tone, content }));
      const timeout = NOTICE_TIMEOUT_MS[tone];
      if (timeout !== null)
        timers.current.set(
          id,
          setTimeout(() => dismiss(id), timeout),
        );
    },
    [dismiss],
  );

  const clear = useCallback((kind: string) => {
    setNotices((stack) => stack.filter((n) => n.kind !== kind));
  }, []);

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    };
  }, []);

  return { notices, push, dismiss, clear };
}

// Waiting for the operator's stop: SIGTERM (systemd, Kubernetes, docker stop) or SIGINT (Ctrl-C).
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export interface StopSignal {
  /** Resolves with the first stop signal received. */
  received: Promise<NodeJS.Signals>;
  /** Removes the handlers (the default behaviour, ending the process, comes back). */
  dispose(): void;
}

/** Catches the stop signals from now on, so that a signal ends the process only through an orderly stop. */
export function catchStopSignals(): StopSignal {
  let handler!: (signal: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((resolve) => (handler = resolve));
  for (const s of STOP_SIGNALS) process.on(s, handler);
  return { received, dispose: () => STOP_SIGNALS.forEach((s) => process.off(s, handler)) };
}

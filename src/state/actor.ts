// Who is running dsar, as recorded in the ledger, holds and opt-outs: the OS account name.
import os from 'node:os';

export function currentActor(): string {
  try {
    return os.userInfo().username;
  } catch {
    // A container user without a passwd entry has no name; its uid is still an answer.
    return process.env.USER || process.env.LOGNAME || `uid:${process.getuid?.() ?? 'unknown'}`;
  }
}

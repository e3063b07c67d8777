// The errors of writing on a Postgres database that only this engine raises: the writer's
// session was replaced (the batch runs again), another server took the database over, or a
// write reached a follower.

/** Thrown when the writer's session changed (Postgres restarted): the batch must be re-run after re-taking the lock. */
export class SessionChanged extends Error {
  readonly code = "CONNECTION_CLOSED";
}

/** Raised when another server took the database over: this one must stop writing. */
export class OwnershipLostError extends Error {
  override readonly name = "OwnershipLostError";
}

/** A write asked of a follower: only the leader writes (mutations are forwarded to it instead). */
export class NotLeaderError extends Error {
  override readonly name = "NotLeaderError";
  readonly code = "NOT_LEADER";
}

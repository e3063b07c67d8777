// The token the client presents and the identity version of the current socket (protocol.md §5,
// §6, §9). Only the version bookkeeping lives here; when to fetch, refresh or give up is the
// AuthManager's business.

import type { AuthError, Authenticate, Transition } from "../protocol/messages.js";

/**
 * @example
 * const auth = new AuthSession();
 * auth.set("eyJ...");
 * auth.take(); // { type: "Authenticate", tokenType: "User", value: "eyJ...", baseVersion: 0 }
 */
export class AuthSession {
  #token: string | undefined;
  /** The identity version the server will be at once it accepts what was sent last. */
  #version = 0;
  /** The current token (or its absence) still has to be sent on this socket. */
  #unsent = false;
  /** The server holds a token from this client on this socket. */
  #serverHasToken = false;
  /** A token was sent and not yet confirmed. */
  #awaitingConfirmation = false;

  get token(): string | undefined {
    return this.#token;
  }

  get version(): number {
    return this.#version;
  }

  /** Presents a new token (sent by the next `take()`). */
  set(token: string): void {
    this.#token = token;
    this.#unsent = true;
  }

  /** Stops presenting a token; the server is told only if it holds one. */
  clear(): void {
    this.#token = undefined;
    this.#unsent = this.#serverHasToken;
    this.#awaitingConfirmation = false;
  }

  /** The Authenticate message to send now, if any; it advances the identity version. */
  take(): Authenticate | null {
    if (!this.#unsent) return null;
    this.#unsent = false;
    const baseVersion = this.#version;
    this.#version++;
    this.#serverHasToken = this.#token !== undefined;
    if (this.#token === undefined) return { type: "Authenticate", tokenType: "None", baseVersion };
    this.#awaitingConfirmation = true;
    return { type: "Authenticate", tokenType: "User", value: this.#token, baseVersion };
  }

  /** A new socket: identity version 0, and the token (if any) must be sent again (§6). */
  restart(): void {
    this.#version = 0;
    this.#serverHasToken = false;
    this.#unsent = this.#token !== undefined;
    this.#awaitingConfirmation = false;
  }

  /** True when the transition confirms the token sent last (§9); records it. */
  confirms(transition: Transition): boolean {
    const { startVersion, endVersion } = transition;
    if (endVersion.identity <= startVersion.identity || endVersion.identity < this.#version) return false;
    const wasToken = this.#awaitingConfirmation;
    this.#awaitingConfirmation = false;
    return wasToken;
  }

  /** True when an AuthError is about what was sent last (not an older attempt). */
  isCurrent(error: AuthError): boolean {
    return error.baseVersion + 1 >= this.#version;
  }

  /** No token is waiting for the server's confirmation. */
  get caughtUp(): boolean {
    return !this.#awaitingConfirmation && !this.#unsent;
  }
}

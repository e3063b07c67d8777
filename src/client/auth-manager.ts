// When to fetch a token, when to refresh it and when to give up (protocol.md §6, §9):
//
//   none --setAuth--> fetching --token--> waiting --confirmed--> confirmed --timer--> refreshing
//                         |                  |  ^                                       |
//                         '--no token--> none|  '------------- new token ---------------'
//                                            '--AuthError--> force refresh --> waiting (fresh)
//
// While the first token is fetched the client sends nothing (subscriptions made meanwhile go
// out in the first ModifyQuerySet). A rejected token is replaced once with a force-refreshed one;
// after two rejected fresh tokens in a row the client gives up, reports "unauthenticated" and
// goes on without auth.

import type { AuthError } from "../protocol/messages.js";
import { redactToken, type ClientLog } from "./client-log.js";
import { tokenLifetime } from "./jwt.js";
import type { AuthTokenFetcher } from "./types.js";

export type AuthStateName = "none" | "fetching" | "waiting" | "confirmed" | "refreshing";

/** What the auth manager asks of the client. */
export interface AuthHost {
  /** Send nothing until `release()` (a token is being fetched). */
  hold(): void;
  release(): void;
  /** Present this token from now on (undefined: none). */
  useToken(token: string | undefined): void;
  /** Replace the socket (the server is closing it after an AuthError anyway). */
  restartSocket(reason: string): void;
}

export interface AuthManagerOptions {
  refreshLeewaySeconds: number;
  log: ClientLog;
  /** Injectable for tests. */
  now?: () => number;
}

/** setTimeout cannot wait longer than 2^31-1 ms. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;
/** Rejected force-refreshed tokens in a row before giving up (§9). */
const MAX_FRESH_REJECTIONS = 2;

/**
 * @example
 * const auth = new AuthManager(host, { refreshLeewaySeconds: 10, log });
 * auth.configure(fetchToken, (isAuthenticated) => console.log(isAuthenticated));
 * auth.onConfirmed(); // the server confirmed the token
 */
export class AuthManager {
  readonly #host: AuthHost;
  readonly #options: AuthManagerOptions;
  #state: AuthStateName = "none";
  #fetchToken: AuthTokenFetcher | undefined;
  #onChange: ((isAuthenticated: boolean) => void) | undefined;
  #token: string | undefined;
  /** Bumped by every configure/clear: answers to older fetches are dropped. */
  #generation = 0;
  #freshRejections = 0;
  #waitingForFresh = false;
  #reported: boolean | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: AuthHost, options: AuthManagerOptions) {
    this.#host = host;
    this.#options = options;
  }

  get state(): AuthStateName {
    return this.#state;
  }

  /** Starts using `fetchToken`; the client holds its messages until the first answer. */
  configure(fetchToken: AuthTokenFetcher, onChange?: (isAuthenticated: boolean) => void): void {
    const generation = this.#reset();
    this.#fetchToken = fetchToken;
    this.#onChange = onChange;
    this.#reported = undefined;
    // No token at all is not a failure: nobody is signed in.
    this.#fetchAndPresent(generation, false, undefined);
  }

  /** Stops using auth. */
  clear(): void {
    this.#reset();
    this.#fetchToken = undefined;
    this.#state = "none";
    this.#token = undefined;
    this.#host.useToken(undefined);
    this.#host.release();
  }

  /** The server confirmed the token sent last. */
  onConfirmed(): void {
    if (this.#state !== "waiting") return;
    this.#state = "confirmed";
    this.#freshRejections = 0;
    this.#options.log.debug(`auth token ${redactToken(this.#token ?? "")} confirmed`);
    this.#report(true);
    this.#scheduleRefresh();
  }

  /** The server rejected a token (it closes the socket next). Call only for current errors. */
  onAuthError(error: AuthError): void {
    if (this.#state === "none" || this.#fetchToken === undefined) {
      this.#options.log.error(`Authentication failed: ${error.error}`);
      return;
    }
    // A function ran with a token that expired while a new one is on its way: not a rejection.
    if (!error.authUpdateAttempted && this.#state === "waiting") return;
    if (this.#state === "fetching" || this.#state === "refreshing") return; // a new token is coming already
    if (this.#waitingForFresh && this.#state === "waiting") {
      this.#freshRejections++;
      if (this.#freshRejections >= MAX_FRESH_REJECTIONS) {
        this.#giveUp(error.error);
        this.#host.restartSocket("AuthError");
        return;
      }
    }
    this.#options.log.debug(`auth token rejected (${error.error}); fetching a fresh one`);
    const generation = ++this.#generation;
    clearTimeout(this.#refreshTimer);
    this.#fetchAndPresent(generation, true, error.error);
    this.#host.restartSocket("AuthError");
  }

  /** The client is closing. */
  stop(): void {
    this.#reset();
  }

  /**
   * Holds the client while a token is fetched, then presents it - or gives up (`why` says why,
   * undefined: quietly) when there is none, or when a fresh one equals the rejected one.
   */
  #fetchAndPresent(generation: number, fresh: boolean, why: string | undefined): void {
    this.#state = "fetching";
    this.#host.hold();
    void this.#fetch(generation, fresh).then((token) => {
      if (token === STALE) return;
      if (token === undefined || (fresh && token === this.#token)) this.#giveUp(why);
      else this.#present(token, fresh);
      this.#host.release();
    });
  }

  #present(token: string, fresh: boolean): void {
    this.#token = token;
    this.#waitingForFresh = fresh;
    this.#state = "waiting";
    this.#options.log.debug(`presenting ${fresh ? "fresh" : "cached"} auth token ${redactToken(token)}`);
    this.#host.useToken(token);
  }

  /** Goes on without auth; logs `why` unless it is undefined (no token: nobody signed in). */
  #giveUp(why: string | undefined): void {
    if (why !== undefined) {
      this.#options.log.error(`Failed to authenticate: ${why}. Going on unauthenticated; check the server's auth configuration.`);
    }
    clearTimeout(this.#refreshTimer);
    this.#state = "none";
    this.#token = undefined;
    this.#freshRejections = 0;
    this.#host.useToken(undefined);
    this.#report(false);
  }

  #scheduleRefresh(): void {
    clearTimeout(this.#refreshTimer);
    const lifetime = this.#token === undefined ? undefined : tokenLifetime(this.#token);
    if (lifetime === undefined) {
      this.#options.log.debug("the auth token is not a JWT with iat and exp; it will not be refreshed");
      return;
    }
    const now = (this.#options.now ?? Date.now)();
    // exp - iat by the protocol, but never past exp as this clock sees it.
    const validMs = Math.min((lifetime.exp - lifetime.iat) * 1000, lifetime.exp * 1000 - now);
    const delay = Math.min(LONGEST_TIMER_MS, Math.max(0, validMs - this.#options.refreshLeewaySeconds * 1000));
    this.#options.log.debug(`refreshing the auth token in ${Math.round(delay)} ms`);
    const generation = this.#generation;
    this.#refreshTimer = setTimeout(() => void this.#refresh(generation), delay);
    (this.#refreshTimer as { unref?: () => void }).unref?.();
  }

  async #refresh(generation: number): Promise<void> {
    if (generation !== this.#generation || this.#state !== "confirmed") return;
    this.#state = "refreshing";
    const token = await this.#fetch(generation, true);
    if (token === STALE) return;
    if (token === undefined) {
      this.#giveUp("fetchToken returned no token when refreshing");
      return;
    }
    if (token === this.#token) {
      this.#state = "confirmed";
      this.#options.log.warn("fetchToken({ forceRefreshToken: true }) returned the same token; it will expire");
      return;
    }
    this.#present(token, true);
  }

  async #fetch(generation: number, forceRefreshToken: boolean): Promise<string | undefined | typeof STALE> {
    let token: string | null | undefined;
    try {
      token = await this.#fetchToken!({ forceRefreshToken });
    } catch (error) {
      this.#options.log.error(`fetchToken threw: ${(error as Error).message ?? String(error)}`);
      token = undefined;
    }
    if (generation !== this.#generation) return STALE;
    return token ?? undefined;
  }

  #report(isAuthenticated: boolean): void {
    if (this.#reported === isAuthenticated) return;
    this.#reported = isAuthenticated;
    this.#onChange?.(isAuthenticated);
  }

  /** Cancels fetches and timers in flight; returns the new generation. */
  #reset(): number {
    clearTimeout(this.#refreshTimer);
    this.#freshRejections = 0;
    this.#waitingForFresh = false;
    return ++this.#generation;
  }
}

const STALE = Symbol("stale");

/**
 * The BHEX emulator's state: spot orders (idempotent by client_order_id), batch tasks and
 * their per-item statuses, and the paged data sets (balance flow, lock records).
 */
import type { BhexOperationId } from "../../handwritten/bhex/client.js";
import { DEC_ZERO, decAdd, decBelow, decMinus, decOf, decText, type Dec } from "../decimal-text.js";
import { exampleValue } from "../http-mock.js";
import { DECIMAL, opById, toBig } from "./replies.js";
import { BhexFunds } from "./funds.js";
import { hasOrderRoom, oldestFinished } from "../order-table.js";

export const ITEM_OK = 200;
export const ITEM_USER_ERROR = 31009;
export const ITEM_OTHER_FAILURE = 5;

/** A positive amount as the vendor's examples write them ("0.5", "5000"), exact; undefined for anything else ("-5", "abc", "0", "1e3"). */
export function positiveAmount(v: unknown): Dec | undefined {
  const t = String(v);
  if (t.length > 64 || !DECIMAL.test(t)) return undefined;
  const d = decOf(t);
  return d.coef > 0n ? d : undefined;
}

export interface MockOrder {
  orderId: bigint;
  userId: string;
  clientOrderId: string;
  symbolId: string;
  exchangeId: string;
  price: string;
  quantity: string;
  type: string;
  side: string;
  status: string;
  time: number;
  /** What the order froze while open (src/mock/bhex/funds.ts), given back by a cancel. */
  frozenToken: string;
  frozen: Dec;
}

interface BatchRow {
  cells: Record<string, unknown>;
  status: number;
}
export interface BatchTask {
  id: string;
  clientOrderId: string;
  desc: string;
  rows: BatchRow[];
  polled: boolean;
}

export interface BatchKind {
  result: BhexOperationId;
  taskKey: string;
  view: (c: Record<string, unknown>) => Record<string, unknown>;
  users: string[];
}

/** Batch create operation → its result operation, the answer's task key and item fields. */
export const BATCH_KINDS: Record<string, BatchKind> = {
  financeBatchTransfer: {
    result: "financeGetBatchTransferResult",
    taskKey: "task",
    users: ["source_user_id", "target_user_id"],
    view: (c) => ({
      sourceUserId: c.source_user_id,
      targetUserId: c.target_user_id,
      tokenId: c.token_id,
      amount: c.amount,
      fromSourceLock: c.from_source_lock ?? false,
      toTargetLock: c.to_target_lock ?? false,
    }),
  },
  financeAirDrop: {
    result: "financeGetAirDropResult",
    taskKey: "transferTask",
    users: ["target_user_id"],
    view: (c) => ({ targetUserId: c.target_user_id, tokenId: c.token_id, amount: c.amount, toTargetLock: c.to_target_lock ?? false }),
  },
  financeBatchLockPosition: {
    result: "financeGetBatchLockPositionResult",
    taskKey: "task",
    users: ["user_id"],
    view: (c) => ({ userId: c.user_id, tokenId: c.token_id, amount: c.amount, desc: c.desc ?? "" }),
  },
  financeBatchUnlockPosition: {
    result: "financeGetBatchUnlockPositionResult",
    taskKey: "task",
    users: ["user_id"],
    view: (c) => ({ userId: c.user_id, tokenId: c.token_id, amount: c.amount, desc: c.desc ?? "" }),
  },
} satisfies Partial<Record<BhexOperationId, BatchKind>>;

export interface BhexStateOptions {
  now: () => number;
  /** Each token's free amount to start every user with (default: the vendor's example answer). */
  balances?: Readonly<Record<string, string>> | undefined;
  users: ReadonlySet<string>;
  /** Records in each paged data set. */
  pagedRecords: number;
}

type Record_ = Record<string, unknown>;

/**
 * A user as the server reads its id, a `long`: `083214971450163200` and `83214971450163200` are
 * one user, and so are `0` and `-0` (keyed on the text, a leading zero placed a second order
 * under a client_order_id). Text no int64 holds is kept as it is (it names no user).
 */
export function userKey(id: string | undefined): string {
  const n = toBig(id);
  return n === undefined ? (id ?? "") : String(n);
}

/** Orders kept: the newest 10 000 (older ones are forgotten: order/get answers "order not found"). */
export const MAX_BHEX_ORDERS = 10_000;
/** An order no longer open (NEW: open). */
const bhexFinished = (o: MockOrder): boolean => o.status !== "NEW";
/**
 * Batch tasks kept: the newest 1 000, and at most 100 000 item rows in all (the newest task is
 * always kept); older ones are forgotten (get_*_result answers "no … task").
 */
export const MAX_BHEX_TASKS = 1_000;
export const MAX_BHEX_TASK_ROWS = 100_000;
/** Locks made here kept for lock_record: the newest 10 000. */
export const MAX_BHEX_MADE_LOCKS = 10_000;
/** Locked amounts kept (one per user and token), and finance lock/unlock client_order_ids remembered (the newest). */
export const MAX_BHEX_LOCKED = 100_000;
export const MAX_BHEX_LOCK_IDS = 10_000;

export class BhexState {
  readonly orders = new Map<bigint, MockOrder>();
  readonly byClientId = new Map<string, bigint>();
  readonly tasks = new Map<string, BatchTask>();
  readonly balanceFlow: Record_[] = [];
  readonly now: () => number;
  readonly users: ReadonlySet<string>;
  readonly funds: BhexFunds;
  // Order ids above 2^53 (the vendor doc's are 18 digits).
  private nextOrderId = 494003445757047808n;
  private nextTaskId = 100;
  private readonly pagedRecords: number;
  private readonly lockExample = (exampleValue(opById("statisticsLockRecord")) as { data: Record_[] }).data[0]!;
  /** Locks made here through batch_lock_position (oldest first: appending is O(1)), above the generated ones. */
  private readonly madeLocks: Record_[] = [];
  /** Item rows of the tasks kept. */
  private taskRows = 0;
  private nextLockId = 9_007_199_254_742_001n;
  /** What finance lock (and batch_lock_position) locked and unlock has not released, by user and token, exact. */
  private readonly locked = new Map<string, Dec>();
  /** finance lock/unlock calls that succeeded, by operation and client_order_id: their terms (a resend answers as the first did). */
  readonly lockCalls = new Map<string, string>();

  constructor(opts: BhexStateOptions) {
    this.now = opts.now;
    this.users = opts.users;
    this.funds = new BhexFunds(opts.balances);
    this.pagedRecords = opts.pagedRecords;
    const flowExample = (exampleValue(opById("accountBalanceFlow")) as { data: Record_[] }).data;
    for (let i = 0; i < this.pagedRecords; i++) {
      const example = flowExample[i];
      if (example) this.balanceFlow.push(example);
      else {
        const prev = BigInt(String(this.balanceFlow[this.balanceFlow.length - 1]?.id ?? "392345285099050240"));
        this.balanceFlow.push({ ...flowExample[0], id: String(prev - 86_400_000n - BigInt(i)), created: String(1561507202690 - i * 86_400_000) });
      }
    }
  }

  // ---- orders ----

  /** A new order (the caller checked that its client_order_id is new for the user). */
  placeOrder(o: Omit<MockOrder, "orderId" | "status" | "time">): MockOrder {
    const order: MockOrder = { orderId: this.nextOrderId++, ...o, userId: userKey(o.userId), status: "NEW", time: this.now() };
    this.orders.set(order.orderId, order);
    this.byClientId.set(`${order.userId}:${order.clientOrderId}`, order.orderId);
    if (this.orders.size > MAX_BHEX_ORDERS) {
      // (orderCreate asks hasOrderRoom first; placed here regardless, an open order forgotten gives back what it froze)
      const oldest = oldestFinished(this.orders, bhexFinished) ?? this.orders.values().next().value!;
      if (oldest.status === "NEW") this.funds.release(oldest.userId, oldest.frozenToken, oldest.frozen);
      this.orders.delete(oldest.orderId);
      this.byClientId.delete(`${oldest.userId}:${oldest.clientOrderId}`);
    }
    return order;
  }
  /**
   * Room for one more order: the table keeps MAX_BHEX_ORDERS and makes room by forgetting the
   * oldest finished order, never an open one (forgotten, what it froze stayed frozen for good).
   */
  hasOrderRoom(): boolean {
    return hasOrderRoom(this.orders, MAX_BHEX_ORDERS, bhexFinished);
  }
  byClientOrderId(userId: string, clientOrderId: string): MockOrder | undefined {
    const id = this.byClientId.get(`${userKey(userId)}:${clientOrderId}`);
    return id === undefined ? undefined : this.orders.get(id);
  }
  /** The user's order named by order_id or client_order_id. */
  findOrder(p: Record<string, string>): MockOrder | undefined {
    const user = userKey(p.user_id);
    const byId = toBig(p.order_id);
    const id = byId ?? (p.client_order_id ? this.byClientId.get(`${user}:${p.client_order_id}`) : undefined);
    const o = id === undefined ? undefined : this.orders.get(id);
    return o && o.userId === user ? o : undefined;
  }

  // ---- locked amounts ----

  /** The amount of a token locked for a user (0 when none). */
  lockedOf(user: string, token: string): Dec {
    return this.locked.get(`${userKey(user)}:${token}`) ?? DEC_ZERO;
  }
  /** Locks `amount` more; false when the emulator holds MAX_BHEX_LOCKED other amounts already. */
  lock(user: string, token: string, amount: Dec): boolean {
    const key = `${userKey(user)}:${token}`;
    if (!this.locked.has(key) && this.locked.size >= MAX_BHEX_LOCKED) return false;
    this.locked.set(key, decAdd(this.lockedOf(user, token), amount));
    return true;
  }
  /** Releases `amount`; false (nothing changed) when less than that is locked. */
  unlock(user: string, token: string, amount: Dec): boolean {
    const held = this.lockedOf(user, token);
    if (decBelow(held, amount)) return false;
    const left = decMinus(held, amount);
    const key = `${userKey(user)}:${token}`;
    if (left.coef === 0n) this.locked.delete(key);
    else this.locked.set(key, left);
    return true;
  }
  /** The locked amount as text ("0", "0.5"). */
  lockedText(user: string, token: string): string {
    return decText(this.lockedOf(user, token));
  }
  /** Remembers a finance lock/unlock that succeeded (the oldest past MAX_BHEX_LOCK_IDS forgotten). */
  rememberLockCall(key: string, terms: string): void {
    this.lockCalls.set(key, terms);
    if (this.lockCalls.size > MAX_BHEX_LOCK_IDS) this.lockCalls.delete(this.lockCalls.keys().next().value!);
  }

  // ---- batch tasks ----

  /** 200, 31009 for a user id the emulator does not know, 5 for an amount that is not a positive decimal. */
  rowStatus(kind: BatchKind, cells: Record_): number {
    if (kind.users.some((u) => !this.users.has(userKey(String(cells[u]))))) return ITEM_USER_ERROR;
    return positiveAmount(cells.amount) === undefined ? ITEM_OTHER_FAILURE : ITEM_OK;
  }
  /** The task of `opId` with this client_order_id, if one was created. */
  findTask(opId: string, clientOrderId: string): BatchTask | undefined {
    return this.tasks.get(`${opId}:${clientOrderId}`);
  }
  /** A new task of `opId` over its decoded item rows. */
  createTask(opId: string, p: Record<string, string>, rows: Record_[]): BatchTask {
    const kind = BATCH_KINDS[opId]!;
    const shared: Record_ = {};
    // (the batch kinds that have them: a handler reads only the parameters its operation declares)
    for (const name of ["business_subject", "sub_business_subject"]) if (name in p && p[name]) shared[name] = Number(p[name]);
    const task: BatchTask = {
      id: String(this.nextTaskId++),
      clientOrderId: p.client_order_id!,
      desc: p.desc ?? "",
      rows: rows.map((r) => {
        const cells = { ...r, ...shared };
        return { cells, status: this.lockRow(opId, cells, this.rowStatus(kind, cells)) };
      }),
      polled: false,
    };
    this.tasks.set(`${opId}:${p.client_order_id}`, task);
    this.taskRows += task.rows.length;
    // A Map iterates in insertion order: the first task is the oldest.
    for (const [key, old] of this.tasks) {
      if (this.tasks.size <= MAX_BHEX_TASKS && this.taskRows <= MAX_BHEX_TASK_ROWS) break;
      if (old === task) break;
      this.tasks.delete(key);
      this.taskRows -= old.rows.length;
    }
    if (opId === "financeBatchLockPosition") this.recordLocks(task);
    return task;
  }
  /** A batch lock row that succeeded locks its amount; a batch unlock row releases it, or fails (5) beyond what is locked. */
  private lockRow(opId: string, cells: Record_, status: number): number {
    if (status !== ITEM_OK) return status;
    const [user, token, amount] = [String(cells.user_id), String(cells.token_id), positiveAmount(cells.amount)!];
    if (opId === "financeBatchLockPosition") return this.lock(user, token, amount) ? ITEM_OK : ITEM_OTHER_FAILURE;
    if (opId === "financeBatchUnlockPosition") return this.unlock(user, token, amount) ? ITEM_OK : ITEM_OTHER_FAILURE;
    return status;
  }
  private recordLocks(task: BatchTask): void {
    // Read once per task, not per row.
    const clientReqId = toBig(task.clientOrderId);
    for (const r of task.rows) if (r.status === ITEM_OK) this.recordLock(r.cells, clientReqId);
  }
  /** A lock record (lock_record) of a lock made here: a batch_lock_position row or a finance/lock call. */
  recordLock(cells: Record_, clientReqId: bigint | undefined): void {
    const t = this.now();
    const id = this.nextLockId++;
    this.madeLocks.push({
      ...this.lockExample,
      id,
      userId: toBig(String(cells.user_id)) ?? String(cells.user_id),
      tokenId: String(cells.token_id),
      // A bare number in the vendor doc's records: a client_order_id that is no integer gets the record's id.
      clientReqId: clientReqId ?? id,
      lockAmount: String(cells.amount),
      lockReason: String(cells.desc ?? ""),
      createdTime: t,
      updatedTime: t,
    });
    if (this.madeLocks.length > MAX_BHEX_MADE_LOCKS) this.madeLocks.splice(0, this.madeLocks.length - MAX_BHEX_MADE_LOCKS);
  }

  // ---- lock records ----

  /** A user's lock records: the ones made here first, then generated ones (ids above 2^53). */
  lockRecords(userId: string | undefined): Record_[] {
    // The user id read once per request (not per record).
    const user = toBig(userId);
    const mine = String(user ?? "");
    return [...this.madeLocks.filter((r) => String(r.userId) === mine).reverse(), ...this.generatedLocks(user)];
  }
  private generatedLocks(user: bigint | undefined): Record_[] {
    const lockExample = this.lockExample;
    return Array.from({ length: this.pagedRecords }, (_, i) => ({
      ...lockExample,
      id: 9_007_199_254_741_099n - BigInt(3 * i),
      userId: user ?? lockExample.userId,
      clientReqId: 410_722_994_621_856_001n + BigInt(i),
      createdTime: 1_560_821_724_749 - i * 1000,
      updatedTime: 1_560_821_724_749 - i * 1000,
    }));
  }
}

/**
 * Tasks waiting for a worker (Coq's TQueue): first in, first out, unless an order is set; a new
 * order re-sorts what is queued and places what comes later. Tasks pushed to the front (a
 * response's injected follow-ups) go before everything else, in their own order.
 */
export interface Queued {
  /** Arrival rank: ties of the order, and the whole order without one. */
  seq: number;
}

export type TaskOrder<Item> = (a: Item, b: Item) => number;

export class TaskQueue<Item extends Queued> {
  private items: Item[] = [];
  /** Items before `head` have left the queue; shifting an array is O(n), moving an index is not. */
  private head = 0;
  private order: TaskOrder<Item> | undefined;
  private nextBack = 1;
  private nextFront = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** Queues at the back (or at its place in the order). */
  push(item: Item): void {
    item.seq = this.nextBack++;
    if (!this.order) this.items.push(item);
    else this.insertSorted(item);
  }

  /** Queues before everything else, keeping the given items in their order. */
  pushFront(items: Item[]): void {
    for (let i = items.length - 1; i >= 0; i--) items[i].seq = this.nextFront--;
    if (this.order) {
      for (const item of items) this.insertSorted(item);
      return;
    }
    this.compact(true);
    this.items.unshift(...items);
  }

  /** Sets the order (undefined: arrival order) and re-sorts what is queued. */
  setOrder(order: TaskOrder<Item> | undefined): void {
    this.order = order;
    this.compact(true);
    this.items.sort((a, b) => this.compare(a, b));
  }

  /** The first item, in queue order, for which `accept` holds. */
  find(accept: (item: Item) => boolean): Item | undefined {
    for (let i = this.head; i < this.items.length; i++) if (accept(this.items[i])) return this.items[i];
    return undefined;
  }

  remove(item: Item): boolean {
    if (this.items[this.head] === item) {
      this.items[this.head++] = undefined as unknown as Item;
      this.compact(false);
      return true;
    }
    const index = this.items.indexOf(item, this.head);
    if (index < 0) return false;
    this.items.splice(index, 1);
    return true;
  }

  /** Removes and returns every queued item. */
  drain(): Item[] {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }

  toArray(): Item[] {
    return this.items.slice(this.head);
  }

  private compare(a: Item, b: Item): number {
    // Front items (seq <= 0) stay ahead whatever the order says: they continue a task that just ended.
    const front = Number(b.seq <= 0) - Number(a.seq <= 0);
    if (front !== 0) return front;
    return (this.order?.(a, b) || 0) || a.seq - b.seq;
  }

  private insertSorted(item: Item): void {
    let low = this.head;
    let high = this.items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compare(this.items[middle], item) <= 0) low = middle + 1;
      else high = middle;
    }
    this.items.splice(low, 0, item);
  }

  private compact(always: boolean): void {
    if (this.head === 0) return;
    if (always || (this.head > 1024 && this.head * 2 > this.items.length)) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

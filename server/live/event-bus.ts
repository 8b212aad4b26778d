// The in-process domain event bus: ingest and fleet services publish, the live-push layer (and others) subscribe.
import type { CounterValues } from '../storage/counter-keys';
import type { SectionName } from '../storage/device-state';
import type { AlertRaised, ClusterChanged } from '../../protocol/socket-events';

/**
 * Domain events by name. Payloads are plain JSON so a broker (socket.io's Redis adapter, a queue)
 * can carry them between processes later without changing publishers.
 */
export interface DomainEvents {
  /** A batch of reports committed. */
  'reports.committed': { accepted: number; at: number };
  /** One device's stored state moved (sections empty: only last seen moved). */
  'device.changed': { deviceId: string; sections: SectionName[]; at: number };
  /** New absolute values of aggregate counters. */
  'counters.changed': { values: CounterValues; at: number };
  'cluster.changed': ClusterChanged;
  'alert.raised': AlertRaised;
  /** Live push sent every change gathered up to `at`: reads computed after this hold all it announced. */
  'live.flushed': { at: number };
  /** Credentials stopped being valid: live sockets opened with them are closed. */
  'credentials.ended': { sessionIdHash?: string; userId?: number; tokenId?: number };
}

export type DomainEventName = keyof DomainEvents;
type Listener<K extends DomainEventName> = (payload: DomainEvents[K]) => void;

export class EventBus {
  private readonly listeners = new Map<DomainEventName, Set<Listener<DomainEventName>>>();

  constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => {}) {}

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends DomainEventName>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<DomainEventName>);
    return () => set.delete(listener as Listener<DomainEventName>);
  }

  /** Delivers synchronously; a failing listener is reported and does not stop the others or the publisher. */
  publish<K extends DomainEventName>(event: K, payload: DomainEvents[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(payload);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }
}

/**
 * The cluster's configurations as the simulation observes them (Raft thesis §4), from the facts alone: which
 * configuration each node's durable log ends with (a configuration is in effect on a node as soon as it is
 * appended), and which is committed (the newest configuration entry any node applied). The membership driver reads
 * it to know what to propose next, the fault guard and the liveness phase to know which configurations are in
 * force. Nothing here trusts what an implementation reports about itself.
 */
import { isConfEntryData, decodeConfEntry, isJoint, simpleConfiguration } from '../core/configuration.js';
import type { Configuration, NodeId } from './contract.js';
import { fromBase64 } from './contract-options.js';
import type { Fact } from './facts.js';
import type { SnapshotConfigurations } from './host-snapshots.js';

/** A configuration and the entry that set it (index 0, term 0: the bootstrap configuration). */
export interface PlacedConfiguration {
  readonly index: number;
  readonly term: number;
  readonly configuration: Configuration;
}

/** The configuration an entry's data carries (base64 data decoded first), or undefined for any other entry. */
export function configurationOfData(data: string, base64: boolean): Configuration | undefined {
  const text = base64 ? fromBase64(data) : data;
  if (text === undefined || !isConfEntryData(text)) return undefined;
  const c = decodeConfEntry(text);
  return typeof c === 'object' ? c : undefined;
}

export class ConfigurationView {
  /**
   * Per node id: the configuration entries of its durable log, ascending by index, above a base (the bootstrap
   * configuration, or the configuration of the snapshot it installed). Empty for a node that has none yet (one
   * that joins). Invariant: indexes strictly ascending.
   */
  private readonly logs: PlacedConfiguration[][] = [];
  private committedPlaced: PlacedConfiguration;

  constructor(
    bootstrapVoters: readonly NodeId[],
    nodeIdsMax: number,
    private readonly snapshots: SnapshotConfigurations,
    /** Entry data is base64 (contract version 2's `entryData: 'base64'`). */
    private readonly base64: boolean,
  ) {
    const bootstrap: PlacedConfiguration = { index: 0, term: 0, configuration: simpleConfiguration(bootstrapVoters) };
    this.committedPlaced = bootstrap;
    for (let id = 0; id <= nodeIdsMax; id++) this.logs.push(bootstrapVoters.includes(id) ? [bootstrap] : []);
  }

  /** Follows one observed fact: persisted entries (which may overwrite a suffix), installed snapshots, applies. */
  observe(fact: Fact): void {
    switch (fact.kind) {
      case 'persist': {
        const first = fact.entries[0];
        if (first === undefined) return;
        const log = this.log(fact.node);
        // Entries from `first` on replace whatever the log held there (a conflicting suffix, Raft §5.3).
        while (log.length > 0 && (log[log.length - 1] as PlacedConfiguration).index >= first.index) log.pop();
        for (const e of fact.entries) {
          const configuration = configurationOfData(e.data, this.base64);
          if (configuration !== undefined) log.push({ index: e.index, term: e.term, configuration });
        }
        return;
      }
      case 'snapshot':
        if (fact.origin === 'installed') this.logs[fact.node] = [{ index: fact.index, term: fact.term, configuration: this.snapshots.at(fact.index, fact.term) }];
        return;
      case 'apply': {
        if (fact.entry.index <= this.committedPlaced.index) return;
        const configuration = configurationOfData(fact.entry.data, this.base64);
        if (configuration !== undefined) this.committedPlaced = { index: fact.entry.index, term: fact.entry.term, configuration };
        return;
      }
      default:
        return;
    }
  }

  /** The committed configuration: the newest configuration entry any node applied, else the bootstrap one. */
  get committed(): Configuration {
    return this.committedPlaced.configuration;
  }

  /** The index of the committed configuration's entry (0: the bootstrap configuration). */
  get committedIndex(): number {
    return this.committedPlaced.index;
  }

  /** The configuration `node`'s durable log ends with (the one it acts on), or undefined when it has none. */
  latest(node: NodeId): PlacedConfiguration | undefined {
    const log = this.log(node);
    return log[log.length - 1];
  }

  /**
   * The configurations that may be in force: the committed one, and the newest one appended on any of `nodes`
   * (highest term, then index) when it differs. During a change both matter: nodes that appended the new one act
   * on it, the others on the old one.
   */
  inForce(nodes: readonly NodeId[]): Configuration[] {
    let newest: PlacedConfiguration = this.committedPlaced;
    for (const id of nodes) {
      const p = this.latest(id);
      if (p !== undefined && (p.term > newest.term || (p.term === newest.term && p.index > newest.index))) newest = p;
    }
    return newest === this.committedPlaced ? [this.committedPlaced.configuration] : [this.committedPlaced.configuration, newest.configuration];
  }

  private log(node: NodeId): PlacedConfiguration[] {
    const log = this.logs[node];
    if (log === undefined) throw new Error(`no node ${node} in the configuration view`);
    return log;
  }
}

/** Every voter half of `c`: its voters, and C_old's during joint consensus (each needs its own majority). */
export function voterHalves(c: Configuration): (readonly NodeId[])[] {
  return isJoint(c) ? [c.voters, c.outgoing] : [c.voters];
}

/**
 * Whether `node` may go down without leaving any half of any configuration in `configurations` without a
 * majority of nodes up ("at most f down", judged against the configurations in force). `isDown` says which
 * nodes already count as down.
 */
export function mayTakeDown(configurations: readonly Configuration[], node: NodeId, isDown: (id: NodeId) => boolean): boolean {
  if (isDown(node)) return true;
  for (const c of configurations) {
    for (const half of voterHalves(c)) {
      if (!half.includes(node)) continue;
      let down = 1;
      for (const id of half) if (isDown(id)) down++;
      if (down > Math.floor((half.length - 1) / 2)) return false;
    }
  }
  return true;
}

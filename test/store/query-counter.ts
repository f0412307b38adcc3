import {
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  TableNode,
  type UnknownRow,
} from 'kysely';

/**
 * A Kysely plugin that counts the queries passing through it, by kind and
 * table: lets a test see how many statements a call made against the real
 * database, without mocking it.
 */
export class QueryCounter implements KyselyPlugin {
  readonly #seen: { readonly kind: string; readonly table: string | undefined }[] = [];

  get total(): number {
    return this.#seen.length;
  }

  /** Queries of a kind (`InsertQueryNode`, `RawNode`…), optionally on one table. */
  count(kind: RootOperationNode['kind'], table?: string): number {
    return this.#seen.filter((s) => s.kind === kind && (table === undefined || s.table === table)).length;
  }

  reset(): void {
    this.#seen.length = 0;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#seen.push({ kind: args.node.kind, table: tableOf(args.node) });
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

function tableOf(node: RootOperationNode): string | undefined {
  let target: OperationNode | undefined;
  if (node.kind === 'InsertQueryNode') target = node.into;
  else if (node.kind === 'UpdateQueryNode') target = node.table;
  else if (node.kind === 'SelectQueryNode' || node.kind === 'DeleteQueryNode') target = node.from?.froms[0];
  return target && TableNode.is(target) ? target.table.identifier.name : undefined;
}

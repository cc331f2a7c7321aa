import type { LintRule } from "../lint-rule.js";
import { addColumnVolatileDefault } from "./add-column-volatile-default.js";
import { addConstraintWithoutNotValid } from "./add-constraint-without-not-valid.js";
import { alterColumnType } from "./alter-column-type.js";
import { createIndexNotConcurrently } from "./create-index-not-concurrently.js";
import { deleteWithoutWhere } from "./delete-without-where.js";
import { dmlOnTableWithoutPrimaryKey } from "./dml-on-table-without-primary-key.js";
import { dropCascade } from "./drop-cascade.js";
import { dropIndexNotConcurrently } from "./drop-index-not-concurrently.js";
import { estimateUnknown } from "./estimate-unknown.js";
import { insertWithoutColumnList } from "./insert-without-column-list.js";
import { leadingWildcardLike } from "./leading-wildcard-like.js";
import { liveLookupFailed } from "./live-lookup-failed.js";
import { readWithoutWhereOrLimit } from "./read-without-where-or-limit.js";
import { reindexNotConcurrently } from "./reindex-not-concurrently.js";
import { selectStar } from "./select-star.js";
import { setNotNull } from "./set-not-null.js";
import { tautologicalWhere } from "./tautological-where.js";
import { truncate } from "./truncate.js";
import { unknownFunction } from "./unknown-function.js";
import { unknownOperator } from "./unknown-operator.js";
import { updateFromFanOut } from "./update-from-fan-out.js";
import { updateWithoutWhere } from "./update-without-where.js";

/** Every review rule, in the order findings are listed: row scope, reads, destructive DDL, locking DDL, live facts. */
export const ALL_RULES: readonly LintRule[] = [
  updateWithoutWhere,
  deleteWithoutWhere,
  tautologicalWhere,
  updateFromFanOut,
  insertWithoutColumnList,
  selectStar,
  readWithoutWhereOrLimit,
  leadingWildcardLike,
  truncate,
  dropCascade,
  createIndexNotConcurrently,
  dropIndexNotConcurrently,
  reindexNotConcurrently,
  addColumnVolatileDefault,
  setNotNull,
  alterColumnType,
  addConstraintWithoutNotValid,
  unknownFunction,
  unknownOperator,
  liveLookupFailed,
  dmlOnTableWithoutPrimaryKey,
  estimateUnknown,
];

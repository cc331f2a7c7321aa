/**
 * Functions that change state, reach outside the database or reveal server internals.
 * A call to any of them makes the statement `admin`. Prefix entries end with `*`.
 */
export const DANGEROUS_FUNCTIONS: readonly string[] = [
  "pg_terminate_backend",
  "pg_cancel_backend",
  "pg_reload_conf",
  "pg_rotate_logfile",
  "pg_promote",
  "pg_switch_wal",
  "pg_create_restore_point",
  "pg_start_backup",
  "pg_stop_backup",
  "pg_backup_start",
  "pg_backup_stop",
  "pg_wal_replay_pause",
  "pg_wal_replay_resume",
  "pg_log_backend_memory_contexts",
  "set_config",
  "nextval",
  "setval",
  "lo_*",
  "loread",
  "lowrite",
  "pg_read_file",
  "pg_read_binary_file",
  "pg_ls_*",
  "pg_stat_file",
  "pg_file_write",
  "pg_file_rename",
  "pg_file_unlink",
  "dblink*",
  "pg_sleep*",
  "pg_advisory_*",
  "pg_try_advisory_*",
  "txid_current",
  "txid_current_if_assigned",
  "pg_current_xact_id",
  "pg_current_xact_id_if_assigned",
  "pg_notify",
  "pg_import_system_collations",
  "pg_replication_*",
  "pg_create_*_replication_slot",
  "pg_drop_replication_slot",
  "pg_copy_*_replication_slot",
  "pg_logical_*",
  "pg_stat_reset*",
  "pg_stat_statements_reset",
  "query_to_xml*",
  "query_to_json*",
  "table_to_xml*",
  "cursor_to_xml*",
  "database_to_xml*",
  "schema_to_xml*",
];

/** Built-ins known to be read-only; anything else is flagged `unknown_function` for review. */
export const READ_ONLY_FUNCTIONS: ReadonlySet<string> = new Set([
  "abs", "array_agg", "array_length", "array_position", "array_to_string", "avg", "bit_and", "bit_or",
  "bool_and", "bool_or", "btrim", "cardinality", "ceil", "ceiling", "char_length", "character_length",
  "coalesce", "concat", "concat_ws", "count", "cume_dist", "current_date", "date_part", "date_trunc",
  "dense_rank", "every", "exp", "extract", "first_value", "floor", "format", "generate_series", "greatest",
  "initcap", "json_agg", "json_build_array", "json_build_object", "json_object_agg", "jsonb_agg",
  "jsonb_build_array", "jsonb_build_object", "jsonb_array_elements", "jsonb_array_length",
  "jsonb_extract_path", "jsonb_extract_path_text", "jsonb_object_agg", "jsonb_typeof", "lag", "last_value",
  "lead", "least", "left", "length", "ln", "log", "lower", "lpad", "ltrim", "make_date", "make_interval",
  "make_timestamp", "max", "md5", "min", "mod", "now", "nth_value", "ntile", "nullif", "octet_length",
  "percent_rank", "percentile_cont", "percentile_disc", "position", "power", "rank", "regexp_match",
  "regexp_matches", "regexp_replace", "regexp_split_to_array", "repeat", "replace", "reverse", "right",
  "round", "row_number", "rpad", "rtrim", "sign", "split_part", "sqrt", "starts_with", "statement_timestamp",
  "stddev", "stddev_pop", "stddev_samp", "string_agg", "strpos", "substr", "substring", "sum",
  "timezone", "to_char", "to_date", "to_json", "to_jsonb", "to_number", "to_timestamp", "transaction_timestamp",
  "translate", "trim", "trunc", "unnest", "upper", "variance", "var_pop", "var_samp", "clock_timestamp",
  "age", "date_bin", "isfinite", "justify_days", "justify_hours", "justify_interval", "gen_random_uuid",
  "random", "encode", "decode", "sha256", "sha512", "array_remove", "array_cat", "array_append",
  "array_prepend", "string_to_array", "jsonb_set", "jsonb_insert", "jsonb_strip_nulls", "jsonb_pretty",
  "row_to_json", "json_array_length", "json_extract_path", "json_extract_path_text", "json_typeof",
]);

export function isDangerousFunction(name: string): boolean {
  const lower = name.toLowerCase();
  return DANGEROUS_FUNCTIONS.some((pattern) => matchesPattern(lower, pattern));
}

function matchesPattern(name: string, pattern: string): boolean {
  const star = pattern.indexOf("*");
  if (star === -1) return name === pattern;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return name.length >= prefix.length + suffix.length && name.startsWith(prefix) && name.endsWith(suffix);
}

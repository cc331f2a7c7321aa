/**
 * Every limit on `.yml` requests and on actions (`actions/*.yml`), in one place. Past a limit the file is
 * refused with a message naming the limit; nothing is truncated or guessed.
 */

/** Largest `queries/**\/*.yml` request: as large as a `.sql` request (MAX_SQL_SOURCE_BYTES) may be. */
export const MAX_YAML_REQUEST_BYTES = 1024 * 1024;
/** Largest `actions/<name>.yml` file. An action is a reviewed, parameterised statement, not a script. */
export const MAX_ACTION_FILE_BYTES = 64 * 1024;
/** Most actions a repository may hold. */
export const MAX_ACTIONS = 1000;
/** Longest action SQL, in UTF-8 bytes. */
export const MAX_ACTION_SQL_BYTES = 64 * 1024;
/** Longest action description. */
export const MAX_DESCRIPTION_CHARS = 2000;
/** Deepest YAML nesting read (mappings and sequences); requests and actions are shallow. */
export const MAX_YAML_DEPTH = 16;
/** Problems reported for one file; past this the list ends with "… N more". */
export const MAX_REPORTED_PROBLEMS = 100;

/** Most parameters one action declares (each binds one `$n`). */
export const MAX_PARAMS_PER_ACTION = 64;
/** Most positional `params` of a `target` + `sql` request. */
export const MAX_POSITIONAL_PARAMS = 64;

/** `text` parameters without `max_length` accept at most this many characters. */
export const DEFAULT_TEXT_MAX_LENGTH = 1000;
/** Largest `max_length` an action may declare for a `text` parameter (characters). */
export const MAX_TEXT_LENGTH = 100_000;
/** Longest `pattern` of a `text` parameter (characters of the regular expression's source). */
export const MAX_PATTERN_CHARS = 500;

/** `array` parameters without `max_items` accept at most this many elements. */
export const DEFAULT_ARRAY_MAX_ITEMS = 100;
/** Largest `max_items` an action may declare. */
export const MAX_ARRAY_ITEMS = 10_000;

/** Most `values` of an `enum` parameter, and the longest one. */
export const MAX_ENUM_VALUES = 500;
export const MAX_ENUM_VALUE_CHARS = 200;

/** Most digits (before and after the point) of a `numeric` value, bound or limit. */
export const MAX_NUMERIC_DIGITS = 100;
/** Largest `scale` (digits after the point) a `numeric` parameter may declare. */
export const MAX_NUMERIC_SCALE = 30;

/** Largest `max_rows` of a request: twelve digits, as in the `.sql` header. */
export const MAX_REQUEST_MAX_ROWS = 999_999_999_999;
/** Longest `ticket`. */
export const MAX_TICKET_CHARS = 200;

// Package report renders rule findings (analysis/rules) as JSON, CSV,
// Markdown and a self-contained HTML page, and writes the access-review
// workbook (CSV). Every output names the snapshot id and as_of, and the same
// inputs always give byte-identical output.
package report

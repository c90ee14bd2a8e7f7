// Package ingest streams the documents of a text corpus, one at a time, to
// the stages that count words (vocab) and train on them.
//
// # Corpus specs
//
// [Walk] reads a corpus named by a spec: a PATH, optionally followed by
// "#SUBDIR" to select a folder inside a folder or archive, for example
// "../shared/data/20news-bydate.tar.gz#20news-bydate-test". The format is
// chosen from the path:
//
//   - a folder: a file directly in the root is unlabeled; a file below a
//     subfolder gets the name of the first folder below the root as its label,
//     so the 20 Newsgroups layout root/<class>/<docid> yields class labels.
//     Files are read in sorted order. Symbolic links are never followed
//     (skipped with reason "symlink"); hidden names (a leading '.') are ignored.
//   - a .tar, .tar.gz or .tgz archive with the same layout, read as a stream in
//     archive order. Only regular-file entries are read; an entry whose name is
//     absolute or climbs out with ".." is skipped, and nothing is ever written
//     to disk. With "#SUBDIR" only entries below that folder are read and
//     labels are taken relative to it.
//   - a JSON Lines file (.jsonl, .ndjson or .json; also gzipped as .jsonl.gz,
//     .ndjson.gz or .json.gz) with one object per line:
//     {"id": "...", "text": "...", "label": "...", "title": "..."}. Only
//     "text" is required; a missing id becomes "line-<n>", and numeric ids and
//     labels are accepted (at most 64 KiB each; a longer title is cut). Field
//     names match case-insensitively and other fields are ignored, as with
//     encoding/json. Blank lines are ignored. A line that is not a JSON
//     object with a string "text" stops the walk with an error naming the file
//     and line that satisfies errors.Is(err, [ErrCorrupt]). A record may be
//     of any length: it is parsed as a stream, never held whole.
//   - a Debian control file (deb822): an apt "Packages" index or dpkg's
//     "status" file, recognised by its name ("Packages", "*_Packages",
//     "Packages.gz", "status"), or any file named with the "deb822:" prefix
//     ([Deb822Prefix]), e.g. "deb822:/tmp/debian-packages.txt" (gzipped when
//     it ends in .gz). One document per stanza: ID the Package field, Title
//     the synopsis (the first line of Description), Text the whole
//     description (the synopsis, a blank line, then the long description
//     with folded lines joined, " ." lines as paragraph breaks and more
//     indented lines kept as they are), Label the Section without its
//     area ("contrib/games" is "games"). A later stanza of the same package
//     is skipped as a duplicate id; one without a description is skipped
//     too. A line that is neither "Field: value", a continuation, a blank
//     line nor a '#' comment, or a stanza without a Package field, stops the
//     walk with an ErrCorrupt error naming the file and line.
//     bench/corpora/debian.sh writes such a file from the apt lists.
//
// # Documents
//
// A [Document]'s Text is always valid UTF-8: bytes that are not valid UTF-8
// are decoded as Windows-1252 (Latin-1 with printable characters in
// 0x80–0x9F), CRLF and lone CR become LF, and a leading byte-order mark is
// dropped. A text longer than Options.MaxDocBytes is cut to that many
// bytes on a UTF-8 boundary and its id listed in Stats.Truncated. The Title
// is the "Subject:" header of a mail or Usenet post, else the first non-empty
// line, with white space collapsed and at most [MaxTitleRunes] runes.
//
// A file that is empty (or only white space within the cut), that holds a
// NUL byte in its first 8 KiB, or whose id was already seen is not passed
// on but listed in Stats.Skipped with the reason. A corpus that yields no
// documents is not an error; the caller decides.
//
// Every reader (folder, tar, JSON Lines, gzipped or not) records a cut
// document in Stats.Truncated.
//
// # Memory
//
// Readers stream: one document's text is held at a time, and never more
// than MaxDocBytes of it however long the file or record is. A text is
// decoded straight into its final buffer once past 1 MiB (a reused scratch
// buffer before that), so a document at the cut costs about MaxDocBytes
// (32 MiB by default), plus 64 KiB of read buffer and the set of ids seen.
// Text is a fresh string that the callback may keep.
//
// # Go documentation
//
// [GoDocs] builds a labeled corpus that needs no download from the Go
// toolchain's standard library and commands: one document per package doc
// comment and per exported declaration with any doc (a func, a type, an
// exported method, a const or var block; a command is its package doc
// alone, as go doc shows it), labeled by the first element of the
// import path ("sort", "crypto", "net"; "cmd" for commands). No package and
// no label is dropped for being small: the label is shown to users and
// filtered on, so it stays the import path's own. Besides the names of
// commands, only declarations without a word of doc are left out. Go 1.26 on
// linux/amd64 gives 5,329 documents in 50 classes (2 to 701 documents each),
// built in about a second of CPU time.
package ingest

using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Text;
using nietras.SeparatedValues;

namespace Monitor.Core.Feeds;

/// <summary>One data row of a CSV feed: the cells of the known columns, or why the row could not be read.</summary>
/// <param name="Values">Trimmed cell per column of the column table; null when the file has no such column.</param>
/// <param name="Cells">Every trimmed cell of the row, in file order (empty for a rejected row).</param>
internal sealed record CsvRow(string Location, string?[] Values, FeedRejection? Rejection)
{
    public string[] Cells { get; init; } = [];

    /// <summary>The file's header (or, for a header-less file, its column names by position).</summary>
    public CsvHeader? Header { get; init; }

    /// <summary>The row's known cells as "name=value" pairs: the Raw text of a rejection.</summary>
    public string Describe(IReadOnlyList<FeedColumn> columns)
    {
        var text = new StringBuilder();
        for (var i = 0; i < Values.Length && text.Length < RawLimit; i++)
        {
            if (Values[i] is { Length: > 0 } value)
            {
                text.Append(text.Length == 0 ? "" : ", ").Append(columns[i].Name).Append('=').Append(value);
            }
        }

        return FeedFieldParsing.Shorten(text.ToString(), RawLimit);
    }

    /// <summary>Raw text kept with a rejection; the rejects table is for diagnosis, not for a copy of the file.</summary>
    public const int RawLimit = 1024;
}

/// <summary>How a tabular file is laid out, where detection is not wanted.</summary>
/// <param name="CommentPrefix">Lines starting with it are comments (null: none).</param>
/// <param name="Header">True: the file has a header (a register); false: it has none; null: detect.</param>
/// <param name="Names">Column names of a header-less file.</param>
internal sealed record CsvLayout(string? CommentPrefix, bool? Header, IReadOnlyList<string> Names)
{
    public static CsvLayout Register { get; } = new("#", true, []);
}

/// <summary>
/// Streams the rows of an RFC 4180 file with Sep: header mapped case-insensitively through
/// <see cref="FeedColumns"/>, separator (',', ';' or tab) chosen from the header line, quoted fields with
/// separators, doubled quotes and line breaks (a space between a separator and an opening quote is tolerated),
/// a UTF-8 (or UTF-16) BOM. Comment lines are skipped, and a commented line of column names before the first
/// content line is the header (abuse.ch writes "# id,dateadded,url,..."), as is an uncommented one deeper down
/// under a banner. When <see cref="CsvLayout.Header"/> is null and the first content line holds data rather than
/// column names, the file is header-less. Each row is checked for size, field count and field length; the caller
/// validates the values.
/// </summary>
internal static class CsvRowReader
{
    private static readonly char[] Separators = [',', ';', '\t'];

    /// <summary>
    /// Yields one <see cref="CsvRow"/> per non-blank data row. The first column of <paramref name="columns"/> is the
    /// record's identity, attached to rejections when it can be read.
    /// </summary>
    /// <exception cref="FeedFormatException">The file has no usable header, or lacks a required column.</exception>
    public static async IAsyncEnumerable<CsvRow> ReadAsync(
        FeedSource source,
        IReadOnlyList<FeedColumn> columns,
        CsvLayout layout,
        FeedLimits limits,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lookup = FeedColumns.Lookup(columns);
        await using var stream = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        var text = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var preamble = await CsvPreamble.ReadAsync(text, layout, lookup, limits.MaxRecordBytes, cancellationToken).ConfigureAwait(false);
        var separator = ChooseSeparator(preamble.HeaderText ?? preamble.FirstDataText ?? "", lookup);
        var fileHeader = preamble.HeaderText is { } headerText
            ? CsvHeader.Read(SplitHeader(headerText, separator).Select(n => n.Trim()).ToArray(), columns, lookup, preamble.HeaderLine, headerless: false)
            : CsvHeader.Read(
                layout.Names.Count > 0 ? [.. layout.Names] : Enumerable.Range(1, SplitHeader(preamble.FirstDataText ?? "", separator).Count).Select(i => $"column {i}").ToArray(),
                columns, lookup, 0, headerless: true);
        if (preamble.HeaderText is null && preamble.FirstDataText is null)
        {
            throw new FeedFormatException("no header line", "line 1");
        }

        // Sep numbers its first row as if it were the second line ("2-2"), so a blank line goes first: it is skipped,
        // and every row after it gets its true number.
        using var guard = new CsvRecordGuard(text, "\n" + preamble.Served, limits.MaxRecordBytes, preamble.FirstServedLine - 1);

        var options = Sep.Reader(o => o with
        {
            Sep = new Sep(separator),
            HasHeader = false,
            Unescape = true,
            // '"a", "b"': the space before an opening quote is not part of the field.
            Trim = SepTrim.Outer,
            // A short or long row is one bad record, not a broken file.
            DisableColCountCheck = true,
        });

        var lineOffset = preamble.FirstServedLine - 2;
        var synthetic = true;
        while (true)
        {
            var truncatedReported = false;
            using (var sep = await options.FromAsync(guard, leaveOpen: true, cancellationToken).ConfigureAwait(false))
            {
                while (await sep.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (synthetic)
                    {
                        synthetic = false;
                        continue;
                    }

                    // Sep serves buffered rows without looking at the token.
                    cancellationToken.ThrowIfCancellationRequested();
                    var line = sep.Current.LineNumberFrom + lineOffset;
                    if (guard.Truncated && line == guard.TruncatedLine)
                    {
                        truncatedReported = true;
                        yield return Oversized(guard.TruncatedLine, limits);
                        continue;
                    }

                    if (layout.CommentPrefix is { } comment && sep.Current.Span.TrimStart().StartsWith(comment, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var row = ToRow(sep.Current, lineOffset, fileHeader, separator, guard.UnterminatedQuoteLine, columns.Count, limits);
                    if (row is not null)
                    {
                        yield return row;
                    }
                }
            }

            if (!guard.Truncated)
            {
                break;
            }

            if (!truncatedReported)
            {
                yield return Oversized(guard.TruncatedLine, limits);
            }

            // Resume at the next physical line: after an unterminated quote that is the best guess of where records start again.
            if (!await guard.SkipRestOfLineAsync(cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            lineOffset = guard.Line - 1;
        }
    }

    private static CsvRow Oversized(int line, FeedLimits limits) =>
        new($"line {line}", [], new FeedRejection(
            $"line {line}",
            $"record is larger than the limit of {limits.MaxRecordBytes} bytes (an unterminated quote?); reading resumed at the next line"));

    private static CsvRow? ToRow(SepReader.Row row, int lineOffset, CsvHeader header, char separator, int? unterminatedLine, int columnCount, FeedLimits limits)
    {
        var span = row.Span;
        if (row.ColCount == 1 && span.IsWhiteSpace())
        {
            return null;
        }

        var from = row.LineNumberFrom + lineOffset;
        var location = $"line {from}";

        // Checked before any column is read: Sep unescapes in place, after which the row span is no longer the raw text.
        var bytes = Encoding.UTF8.GetByteCount(span);
        if (bytes > limits.MaxRecordBytes)
        {
            return Rejected(location, $"record is {bytes} bytes, larger than the limit of {limits.MaxRecordBytes}", null, span);
        }

        var lines = row.LineNumberToExcl - row.LineNumberFrom;
        if (from == unterminatedLine)
        {
            return Rejected(location, $"the quoted field opened on line {from} is never closed (the file ends inside it)", null, span);
        }

        // Sep joins lines while quotes are unbalanced; RFC 4180 allows a line break only inside a field quoted as a whole.
        if (lines > 1 && HasQuoteInsideUnquotedField(span, separator))
        {
            return Rejected(location, $"a quote inside an unquoted field joined lines {from}-{from + lines - 1} into one record; quote the whole field and double its quotes", null, span);
        }

        if (!header.Headerless && row.ColCount != header.Names.Length)
        {
            return Rejected(location, $"expected {header.Names.Length} fields, found {row.ColCount}", null, span);
        }

        // One pass over the cells: Sep unescapes a quoted cell in place when it is first read.
        string? tooLong = null;
        var values = new string?[columnCount];
        var cells = new string[row.ColCount];
        for (var i = 0; i < row.ColCount; i++)
        {
            var cell = row[i].Span;
            if (cell.Length > limits.MaxFieldLength)
            {
                tooLong ??= $"field '{header.NameOf(i)}' is {cell.Length} characters, longer than the limit of {limits.MaxFieldLength}";
                if (i != header.IdIndex)
                {
                    continue;
                }
            }

            cells[i] = cell.Trim().ToString();
            if (i < header.Map.Length && header.Map[i] >= 0)
            {
                var index = header.Map[i];
                // A list column written in several file columns (two indicator columns) keeps them all.
                values[index] = values[index] is not { Length: > 0 } before ? cells[i]
                    : cells[i].Length > 0 ? $"{before}{FeedColumns.ListSeparator}{cells[i]}" : before;
            }
        }

        if (tooLong is not null)
        {
            var recordId = header.IdIndex >= 0 ? values[0] : null;
            return Rejected(location, tooLong, recordId is { Length: <= 200 } ? recordId : null, []);
        }

        return new CsvRow(location, values, null) { Cells = cells, Header = header };
    }

    private static bool HasQuoteInsideUnquotedField(ReadOnlySpan<char> raw, char separator)
    {
        var fieldStart = true;
        var quoted = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < raw.Length && raw[i + 1] == '"')
                    {
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }

                continue;
            }

            if (fieldStart)
            {
                if (c == ' ')
                {
                    continue;
                }

                fieldStart = false;
                if (c == '"')
                {
                    quoted = true;
                    continue;
                }
            }

            if (c == separator)
            {
                fieldStart = true;
            }
            else if (c == '"')
            {
                return true;
            }
        }

        return false;
    }

    private static CsvRow Rejected(string location, string reason, string? recordId, ReadOnlySpan<char> raw) =>
        new(location, [], new FeedRejection(
            location,
            reason,
            string.IsNullOrEmpty(recordId) ? null : recordId,
            raw.IsEmpty ? null : raw[..Math.Min(raw.Length, CsvRow.RawLimit)].ToString()));

    /// <summary>
    /// The separator is the candidate that splits the header into the most known column names; a header
    /// such as "Record ID;Summary, short" is then read by ';'. Ties go to the candidate that appears most, then ','.
    /// </summary>
    internal static char ChooseSeparator(string header, FrozenDictionary<string, int> lookup)
    {
        var best = ',';
        var bestKnown = -1;
        var bestCount = -1;
        foreach (var candidate in Separators)
        {
            var names = SplitHeader(header, candidate);
            var count = names.Count - 1;
            if (count == 0 && candidate != ',')
            {
                continue;
            }

            var known = names.Count(n => lookup.ContainsKey(FeedColumns.Normalize(n)));
            if (known > bestKnown || (known == bestKnown && count > bestCount))
            {
                (best, bestKnown, bestCount) = (candidate, known, count);
            }
        }

        return best;
    }

    internal static List<string> SplitHeader(string header, char separator)
    {
        var names = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        foreach (var c in header)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (c == separator && !inQuotes)
            {
                names.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        names.Add(current.ToString());
        return names;
    }
}

/// <summary>
/// The file's header: its names as written, and for each file column the index in the column table (-1 if unknown).
/// A header-less file has names by position ("column 3") or from the source's settings.
/// </summary>
internal sealed record CsvHeader(string[] Names, int[] Map, int IdIndex, int Line, bool Headerless)
{
    public string NameOf(int column) => column < Names.Length ? Names[column] : $"column {column + 1}";

    /// <summary>File columns that no known column takes.</summary>
    public IEnumerable<string> Unknown => Names.Where((_, i) => Map[i] < 0);

    public static CsvHeader Read(string[] names, IReadOnlyList<FeedColumn> columns, FrozenDictionary<string, int> lookup, int line, bool headerless)
    {
        var map = new int[names.Length];
        var seenAt = new int[columns.Count];
        Array.Fill(seenAt, -1);
        var location = $"line {Math.Max(1, line)}";
        for (var i = 0; i < names.Length; i++)
        {
            map[i] = lookup.TryGetValue(FeedColumns.Normalize(names[i]), out var column) ? column : -1;
            if (map[i] < 0)
            {
                continue;
            }

            if (seenAt[map[i]] >= 0 && !columns[map[i]].Many)
            {
                throw new FeedFormatException(
                    $"columns '{names[seenAt[map[i]]]}' and '{names[i]}' both mean {columns[map[i]].Name}", location);
            }

            if (seenAt[map[i]] < 0)
            {
                seenAt[map[i]] = i;
            }
        }

        foreach (var (column, index) in columns.Select((c, i) => (c, i)))
        {
            if (column.Required && seenAt[index] < 0)
            {
                var aliases = column.Aliases.Count == 0 ? "" : $" (or {string.Join(", ", column.Aliases)})";
                throw new FeedFormatException($"the header has no {column.Name} column{aliases}", location);
            }
        }

        return new CsvHeader(names, map, seenAt[0], line, headerless);
    }
}

using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

/// <summary>
/// The lines of a tabular file before its first data row: blank and comment lines (a banner), and the header,
/// which may be commented ("# id,dateadded,url") or written plainly under the banner. Reads only as far as the
/// first content line.
/// </summary>
/// <param name="Served">What was read past the header: Sep reads it first, then the rest of the file.</param>
/// <param name="FirstServedLine">File line number of the first character of <paramref name="Served"/>.</param>
/// <param name="HeaderText">The header's text (without its comment prefix), or null for a header-less file.</param>
/// <param name="FirstDataText">The first data line when the file has no header (its field count names the columns).</param>
internal sealed record CsvPreamble(string Served, int FirstServedLine, string? HeaderText, int HeaderLine, string? FirstDataText)
{
    public static async Task<CsvPreamble> ReadAsync(TextReader text, CsvLayout layout, FrozenDictionary<string, int> lookup, int maxChars, CancellationToken cancellationToken)
    {
        var read = new StringBuilder();
        var chunk = new char[1 << 14];
        var ended = false;
        var start = 0;
        var line = 1;
        (string Text, int Line)? commented = null;
        while (true)
        {
            // The next line (a quoted line break continues a content line, never a comment).
            int end, next;
            bool isComment;
            while (!TryFindLineEnd(read, start, layout.CommentPrefix, ended, out end, out next, out isComment))
            {
                if (read.Length - start > maxChars)
                {
                    throw new FeedFormatException($"the {(line == 1 ? "header " : "")}line is longer than {maxChars} characters", $"line {line}");
                }

                var count = await text.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
                ended = count == 0;
                read.Append(chunk, 0, count);
            }

            var lineText = read.ToString(start, end - start);
            var lines = 1 + lineText.Count(c => c == '\n') + lineText.Count(c => c == '\r') - CountCrLf(lineText);
            var trimmed = lineText.Trim();
            if (trimmed.Length == 0)
            {
                // A blank line before the content.
            }
            else if (isComment)
            {
                var body = trimmed[layout.CommentPrefix!.Length..].Trim();
                if (IsHeader(body, lookup))
                {
                    commented = (body, line);
                }
            }
            else if (layout.Header == false)
            {
                return new CsvPreamble(read.ToString(start, read.Length - start), line, null, 0, lineText);
            }
            else if (IsHeader(lineText, lookup) || (layout.Header == true && commented is null))
            {
                return new CsvPreamble(read.ToString(next, read.Length - next), line + lines, lineText, line, null);
            }
            else if (commented is { } header)
            {
                return new CsvPreamble(read.ToString(start, read.Length - start), line, header.Text, header.Line, null);
            }
            else
            {
                return new CsvPreamble(read.ToString(start, read.Length - start), line, null, 0, lineText);
            }

            if (ended && next >= read.Length)
            {
                return commented is { } last
                    ? new CsvPreamble("", line + lines, last.Text, last.Line, null)
                    : new CsvPreamble("", line + lines, null, 0, null);
            }

            line += lines;
            start = next;
        }
    }

    /// <summary>Where the line from <paramref name="start"/> ends and the next begins; false when more input is needed to tell.</summary>
    private static bool TryFindLineEnd(StringBuilder read, int start, string? commentPrefix, bool ended, out int end, out int next, out bool isComment)
    {
        var i = start;
        while (i < read.Length && read[i] is ' ' or '\t')
        {
            i++;
        }

        isComment = false;
        if (commentPrefix is not null)
        {
            if (read.Length - i < commentPrefix.Length && !ended)
            {
                (end, next) = (-1, -1);
                return false;
            }

            isComment = read.Length - i >= commentPrefix.Length && read.ToString(i, commentPrefix.Length) == commentPrefix;
        }

        var inQuotes = false;
        for (; i < read.Length; i++)
        {
            var c = read[i];
            if (c == '"' && !isComment)
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes && c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 == read.Length && !ended)
                {
                    // Its '\n' may follow.
                    break;
                }

                end = i;
                next = c == '\r' && i + 1 < read.Length && read[i + 1] == '\n' ? i + 2 : i + 1;
                return true;
            }
        }

        (end, next) = ended ? (read.Length, read.Length) : (-1, -1);
        return ended;
    }

    private static int CountCrLf(string text)
    {
        var count = 0;
        for (var i = text.IndexOf("\r\n", StringComparison.Ordinal); i >= 0; i = text.IndexOf("\r\n", i + 2, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// A line of column names: at least one names a known column, and none is data (a time, a number or an
    /// indicator), so that a header-less row whose type field says "url" is not taken for a header.
    /// </summary>
    internal static bool IsHeader(string line, FrozenDictionary<string, int> lookup)
    {
        var separator = CsvRowReader.ChooseSeparator(line, lookup);
        var names = CsvRowReader.SplitHeader(line, separator).Select(n => n.Trim()).ToList();
        return names.Any(n => lookup.ContainsKey(FeedColumns.Normalize(n))) && !names.Any(IsData);
    }

    private static bool IsData(string field) =>
        field.Length > 0
        && (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            || FeedFieldParsing.TryParseFeedTime("", field, null, out _, out _)
            || IndicatorNormalizer.TryNormalize(field, out _, out _));
}

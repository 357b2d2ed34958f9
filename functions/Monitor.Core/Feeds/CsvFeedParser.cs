using System.Runtime.CompilerServices;
using Monitor.Core.Config;
using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

/// <summary>
/// Reads an incident feed in CSV (RFC 4180) as a stream of <see cref="FeedRecord"/>s and <see cref="FeedRejection"/>s.
/// Columns and their aliases are listed in <see cref="FeedColumns.IncidentFeed"/>, and a source's
/// <see cref="SourceFormat"/> can name them; list cells (request_refs, indicators) hold ';'-separated values. A file
/// without an indicator column is read as free text (<see cref="FreetextIndicators"/>), one without an ID column gets
/// IDs derived from each record's content, and the columns nothing reads are named in a <see cref="FeedNotice"/>.
/// </summary>
internal static class CsvFeedParser
{
    private static readonly IReadOnlyList<FeedColumn> Columns = FeedColumns.IncidentFeed;

    public static IAsyncEnumerable<FeedEntry> ParseAsync(FeedSource source, FeedLimits limits, CancellationToken cancellationToken) =>
        ParseAsync(source, limits, null, cancellationToken);

    /// <exception cref="FeedFormatException">The file has no header line or no content, or the source's format names a column it lacks.</exception>
    public static async IAsyncEnumerable<FeedEntry> ParseAsync(
        FeedSource source,
        FeedLimits limits,
        SourceFormat? format,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var layout = new CsvLayout(format?.CommentPrefix ?? "#", format?.Header, format?.Names ?? []);
        TabularRoles? roles = null;
        await foreach (var row in CsvRowReader.ReadAsync(source, Columns, layout, limits, cancellationToken).ConfigureAwait(false))
        {
            if (row.Rejection is { } rejection)
            {
                yield return rejection;
                continue;
            }

            if (roles is null)
            {
                roles = TabularRoles.Of(row.Header!, format);
                if (roles.Notice is { } notice)
                {
                    yield return notice;
                }
            }

            yield return roles.ToEntry(row, format, limits);
        }
    }
}

/// <summary>Which file column plays which part in a record: from the header's names, or from the source's format.</summary>
internal sealed class TabularRoles
{
    private int _id = -1, _time = -1, _reporter = -1, _kind = -1, _type = -1, _summary = -1, _refs = -1, _findings = -1, _evidence = -1, _mitigation = -1;
    private readonly List<(int Column, IndicatorType? Type)> _indicators = [];
    private readonly List<int> _referenceText = [];

    /// <summary>What the file gives that nothing reads, or how a header-less file is read.</summary>
    public FeedNotice? Notice { get; private set; }

    /// <summary>No column holds indicators: every field is scanned for them.</summary>
    public bool Freetext => _indicators.Count == 0;

    public static TabularRoles Of(CsvHeader header, SourceFormat? format)
    {
        var roles = new TabularRoles();
        var used = new bool[header.Names.Length];
        for (var i = 0; i < header.Names.Length; i++)
        {
            var column = header.Map[i];
            if (column < 0)
            {
                continue;
            }

            used[i] = true;
            var name = FeedColumns.IncidentFeed[column].Name;
            if (name == FeedColumns.Indicators)
            {
                roles._indicators.Add((i, FeedColumns.IndicatorColumnTypes.TryGetValue(FeedColumns.Normalize(header.Names[i]), out var type) ? type : null));
            }
            else if (name == FeedColumns.ReferenceText)
            {
                roles._referenceText.Add(i);
            }
            else
            {
                ref var slot = ref roles.Slot(name);
                if (slot < 0)
                {
                    slot = i;
                }
            }
        }

        if (format is not null)
        {
            roles.Apply(header, format, used);
        }

        var location = $"line {Math.Max(1, header.Line)}";
        if (header.Headerless)
        {
            roles.Notice = new FeedNotice(location, roles.Freetext
                ? $"no header line: each record is read by content (every field scanned for indicators{(roles._time < 0 ? ", the first field that is a time is its time" : "")}, record IDs derived from the content)"
                : "no header line: columns read by the source's format names");
        }
        else if (header.Names.Where((_, i) => !used[i]).ToList() is { Count: > 0 } unknown)
        {
            roles.Notice = new FeedNotice(location, roles.Freetext
                ? $"no indicator column: every field is scanned for indicators; columns with no other use: {string.Join(", ", unknown)}"
                : $"columns not used: {string.Join(", ", unknown)}");
        }

        return roles;
    }

    private ref int Slot(string name)
    {
        switch (name)
        {
            case FeedColumns.RecordId: return ref _id;
            case FeedColumns.ReportedAt: return ref _time;
            case FeedColumns.Reporter: return ref _reporter;
            case FeedColumns.Kind: return ref _kind;
            case FeedColumns.IndicatorType: return ref _type;
            case FeedColumns.Summary: return ref _summary;
            case FeedColumns.RequestRefs: return ref _refs;
            case FeedColumns.Findings: return ref _findings;
            case FeedColumns.Evidence: return ref _evidence;
            default: return ref _mitigation;
        }
    }

    private void Apply(CsvHeader header, SourceFormat format, bool[] used)
    {
        int Find(ColumnRef column, string setting)
        {
            var index = column.Name is { } name
                ? Array.FindIndex(header.Names, n => FeedColumns.Normalize(n) == FeedColumns.Normalize(name))
                : column.Number - 1;
            if (index < 0 || (column.Name is null && !header.Headerless && index >= header.Names.Length))
            {
                throw new FeedFormatException($"the source's format.columns.{setting} names {column}, which the file does not have (columns: {string.Join(", ", header.Names)})", $"line {Math.Max(1, header.Line)}");
            }

            if (index < used.Length)
            {
                used[index] = true;
            }

            return index;
        }

        if (format.Id is { } id) { _id = Find(id, "id"); }
        if (format.Time is { } time) { _time = Find(time, "time"); }
        if (format.Kind is { } kind) { _kind = Find(kind, "kind"); }
        if (format.Summary is { } summary) { _summary = Find(summary, "summary"); }
        if (format.Reference is { } reference) { _refs = Find(reference, "reference"); }
        if (format.Indicators.Count > 0)
        {
            foreach (var (i, _) in _indicators)
            {
                used[i] = false;
            }

            _indicators.Clear();
            _indicators.AddRange(format.Indicators.Select(c => (Find(c.Column, "indicators"), c.Type)));
        }
    }

    public FeedEntry ToEntry(CsvRow row, SourceFormat? format, FeedLimits limits)
    {
        var cells = row.Cells;
        string? Cell(int i) => i >= 0 && i < cells.Length && cells[i].Length > 0 ? cells[i] : null;
        var errors = new List<string>();
        var warnings = new List<string>();

        DateTimeOffset? reportedAt = null;
        if (Cell(_time) is { } timeText)
        {
            if (FeedFieldParsing.TryParseFeedTime(_time < row.Header!.Names.Length ? row.Header.Names[_time] : FeedColumns.ReportedAt, timeText, format, out var parsed, out var error))
            {
                reportedAt = parsed;
            }
            else
            {
                errors.Add(error);
            }
        }
        else if (_time < 0 && row.Header!.Headerless)
        {
            // Read by content: the first field that is a time.
            foreach (var cell in cells)
            {
                if (cell.Length >= 10 && FeedFieldParsing.TryParseFeedTime("", cell, format, out var parsed, out _))
                {
                    reportedAt = parsed;
                    break;
                }
            }
        }

        // A "type" column that names an indicator type types the indicators; otherwise it is the record's kind.
        var kind = Cell(_kind);
        var rowType = FeedIndicatorTypes.OfRecord(Cell(_type), ref kind, warnings, out var skipIndicators);

        var indicators = new List<RawIndicator>();
        if (!skipIndicators)
        {
            if (Freetext)
            {
                foreach (var cell in cells)
                {
                    indicators.AddRange(FreetextIndicators.Extract(cell));
                }
            }
            else
            {
                foreach (var (column, type) in _indicators)
                {
                    var hint = type ?? rowType;
                    // A URL may hold ';', so a URL column is one value.
                    var values = hint == IndicatorType.Url ? (Cell(column) is { } url ? [url] : []) : FeedFieldParsing.SplitList(Cell(column));
                    indicators.AddRange(values.Select(v => new RawIndicator(v, hint)));
                }
            }
        }

        indicators = [.. indicators.Distinct()];
        if (indicators.Count > limits.MaxIndicatorsPerRecord)
        {
            errors.Add($"{indicators.Count} indicators, more than the limit of {limits.MaxIndicatorsPerRecord}");
        }

        var recordId = Cell(_id) ?? ContentId(cells);
        if (errors.Count > 0)
        {
            return new FeedRejection(row.Location, string.Join("; ", errors), recordId, row.Describe(FeedColumns.IncidentFeed));
        }

        return new FeedRecord(row.Location, recordId)
        {
            ReportedAt = reportedAt,
            Reporter = FeedFieldParsing.NullIfEmpty(Cell(_reporter)),
            Kind = FeedFieldParsing.NormalizeKind(kind),
            RequestRefs = FeedFieldParsing.SplitList(Cell(_refs)),
            Indicators = indicators,
            Summary = FeedFieldParsing.NullIfEmpty(Cell(_summary)),
            ReferenceText = [.. _referenceText.Select(Cell).OfType<string>()],
            HasFindings = FeedFieldParsing.ParseFlag(Cell(_findings)),
            HasEvidence = FeedFieldParsing.ParseFlag(Cell(_evidence)),
            Mitigation = FeedFieldParsing.NullIfEmpty(Cell(_mitigation)),
            Warnings = warnings,
        };
    }

    /// <summary>
    /// The ID of a record whose file gives none: a hash of its fields, so that reading the same export again gives the
    /// same IDs (and overwrites its rows) while two different records never share one.
    /// </summary>
    public static string ContentId(IEnumerable<string> fields) =>
        "content-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\u001f', fields))))[..32];
}

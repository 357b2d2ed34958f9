using System.Runtime.CompilerServices;
using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

/// <summary>
/// Reads an incident feed in CSV (RFC 4180) as a stream of <see cref="FeedRecord"/>s and <see cref="FeedRejection"/>s.
/// Columns and their aliases are listed in <see cref="FeedColumns.IncidentFeed"/>; list cells
/// (request_refs, indicators) hold ';'-separated values.
/// </summary>
public static class CsvFeedParser
{
    private static readonly IReadOnlyList<FeedColumn> Columns = FeedColumns.IncidentFeed;
    private static readonly int RecordId = Index(FeedColumns.RecordId);
    private static readonly int ReportedAt = Index(FeedColumns.ReportedAt);
    private static readonly int Reporter = Index(FeedColumns.Reporter);
    private static readonly int Kind = Index(FeedColumns.Kind);
    private static readonly int RequestRefs = Index(FeedColumns.RequestRefs);
    private static readonly int Indicators = Index(FeedColumns.Indicators);
    private static readonly int Summary = Index(FeedColumns.Summary);
    private static readonly int Findings = Index(FeedColumns.Findings);
    private static readonly int Evidence = Index(FeedColumns.Evidence);
    private static readonly int Mitigation = Index(FeedColumns.Mitigation);

    /// <exception cref="FeedFormatException">The file has no header line or no record_id column: quarantine the file.</exception>
    public static async IAsyncEnumerable<FeedEntry> ParseAsync(
        FeedSource source,
        FeedLimits limits,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in CsvRowReader.ReadAsync(source, Columns, limits, cancellationToken).ConfigureAwait(false))
        {
            yield return row.Rejection ?? ToEntry(row, limits);
        }
    }

    private static FeedEntry ToEntry(CsvRow row, FeedLimits limits)
    {
        var v = row.Values;
        var recordId = v[RecordId];
        var errors = new List<string>();
        if (string.IsNullOrEmpty(recordId))
        {
            errors.Add("missing record_id");
        }

        DateTimeOffset? reportedAt = null;
        if (!string.IsNullOrEmpty(v[ReportedAt]))
        {
            if (FeedFieldParsing.TryParseTimestamp(FeedColumns.ReportedAt, v[ReportedAt]!, out var parsed, out var error))
            {
                reportedAt = parsed;
            }
            else
            {
                errors.Add(error);
            }
        }

        var indicators = FeedFieldParsing.SplitList(v[Indicators]);
        if (indicators.Count > limits.MaxIndicatorsPerRecord)
        {
            errors.Add($"{indicators.Count} indicators, more than the limit of {limits.MaxIndicatorsPerRecord}");
        }

        if (errors.Count > 0)
        {
            return new FeedRejection(row.Location, string.Join("; ", errors), string.IsNullOrEmpty(recordId) ? null : recordId, row.Describe(Columns));
        }

        return new FeedRecord(row.Location, recordId!)
        {
            ReportedAt = reportedAt,
            Reporter = FeedFieldParsing.NullIfEmpty(v[Reporter]),
            Kind = FeedFieldParsing.NormalizeKind(v[Kind]),
            RequestRefs = FeedFieldParsing.SplitList(v[RequestRefs]),
            Indicators = indicators.ConvertAll(value => new RawIndicator(value)),
            Summary = FeedFieldParsing.NullIfEmpty(v[Summary]),
            HasFindings = FeedFieldParsing.ParseFlag(v[Findings]),
            HasEvidence = FeedFieldParsing.ParseFlag(v[Evidence]),
            Mitigation = FeedFieldParsing.NullIfEmpty(v[Mitigation]),
        };
    }

    private static int Index(string name) => FeedColumns.IndexOf(Columns, name);
}

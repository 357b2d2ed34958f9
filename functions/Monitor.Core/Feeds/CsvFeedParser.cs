using System.Runtime.CompilerServices;
using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

/// <summary>
/// Reads an incident feed in CSV (RFC 4180) as a stream of <see cref="FeedRecord"/>s and <see cref="FeedRejection"/>s.
/// Columns and their aliases are listed in <see cref="FeedColumns.IncidentFeed"/>; list cells
/// (request_refs, indicators) hold ';'-separated values.
/// </summary>
internal static class CsvFeedParser
{
    private static readonly IReadOnlyList<FeedColumn> Columns = FeedColumns.IncidentFeed;

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
        var recordId = v[IncidentColumn.RecordId];
        var errors = new List<string>();
        if (string.IsNullOrEmpty(recordId))
        {
            errors.Add("missing record_id");
        }

        DateTimeOffset? reportedAt = null;
        if (!string.IsNullOrEmpty(v[IncidentColumn.ReportedAt]))
        {
            if (FeedFieldParsing.TryParseTimestamp(FeedColumns.ReportedAt, v[IncidentColumn.ReportedAt]!, out var parsed, out var error))
            {
                reportedAt = parsed;
            }
            else
            {
                errors.Add(error);
            }
        }

        var indicators = FeedFieldParsing.SplitList(v[IncidentColumn.Indicators]);
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
            Reporter = FeedFieldParsing.NullIfEmpty(v[IncidentColumn.Reporter]),
            Kind = FeedFieldParsing.NormalizeKind(v[IncidentColumn.Kind]),
            RequestRefs = FeedFieldParsing.SplitList(v[IncidentColumn.RequestRefs]),
            Indicators = indicators.ConvertAll(value => new RawIndicator(value)),
            Summary = FeedFieldParsing.NullIfEmpty(v[IncidentColumn.Summary]),
            HasFindings = FeedFieldParsing.ParseFlag(v[IncidentColumn.Findings]),
            HasEvidence = FeedFieldParsing.ParseFlag(v[IncidentColumn.Evidence]),
            Mitigation = FeedFieldParsing.NullIfEmpty(v[IncidentColumn.Mitigation]),
        };
    }
}

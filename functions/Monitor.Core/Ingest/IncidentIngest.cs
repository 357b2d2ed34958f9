using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Monitor.Core.Config;
using Monitor.Core.Feeds;
using Monitor.Core.Indicators;
using Monitor.Core.Matching;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Ingest;

/// <summary>
/// Reads an incident feed: each record is normalised and matched against the index of open requests, and each match
/// is stored with deterministic keys, so reading a file twice writes the same rows: Matches always, and RequestEvents
/// plus a dirty mark for the sweep when the record moves or may move a clock.
/// </summary>
public sealed class IncidentIngest(
    MatchStore matches,
    RequestEventStore events,
    RejectStore rejects,
    SweepScheduleStore schedule,
    EventReassessment reassessment,
    MonitorConfiguration configuration,
    RequestIndexCache indexCache,
    IOptions<MonitorOptions> options,
    IOptions<FeedLimits> limits,
    IClock clock)
{
    private readonly Regex _requestIdPattern = new(options.Value.RequestIdPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>The first read of a feed. Returns what it wrote.</summary>
    public async Task<RunCounters> IngestAsync(FeedRunEntity run, FeedSource feed, FeedFormat format, CancellationToken cancellationToken)
    {
        var index = await indexCache.GetAsync(cancellationToken);
        var first = await ReadAsync(run, feed, format, index, recordRejects: true, only: null, cancellationToken);
        if (await indexCache.NewerThanAsync(index, cancellationToken) is { } newer)
        {
            // A register landed while this file was read, and its retro-match did not see this file (not processed
            // yet): read it again against the requests open now. Same keys, so the rows of the first read are
            // overwritten, and the run counts what the second read matched.
            var second = await ReadAsync(run, feed, format, newer, recordRejects: false, only: null, cancellationToken);
            (first.MatchedRecords, first.Matches, first.Events, first.PendingEvents) = (second.MatchedRecords, second.Matches, second.Events, second.PendingEvents);
        }
        return first;
    }

    /// <summary>
    /// Reads an already processed feed again for requests registered or given new indicators after its first read:
    /// only their rows, the same as if they had been open the first time. Its rejects were recorded the first time.
    /// </summary>
    public async Task<RunCounters> ReadAgainAsync(FeedRunEntity run, FeedSource feed, FeedFormat format, IReadOnlySet<string> only, CancellationToken cancellationToken) =>
        await ReadAsync(run, feed, format, await indexCache.GetAsync(cancellationToken), recordRejects: false, only, cancellationToken);

    private async Task<RunCounters> ReadAsync(FeedRunEntity run, FeedSource feed, FeedFormat format, RequestIndex index, bool recordRejects,
        IReadOnlySet<string>? only, CancellationToken cancellationToken)
    {
        var ingest = new IngestRun(run, rejects, options.Value, clock, recordRejects);
        var counters = ingest.Counters;
        var config = await configuration.LoadAsync(cancellationToken);
        counters.RequestsLoaded = index.Count;
        var matcher = new RecordMatcher(index, config.Warninglist, _requestIdPattern, options.Value.OverMatchCap);
        var pendingRequests = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var indicators = new List<Indicator>();
        var usable = 0;

        await foreach (var entry in FeedParsers.ParseIncidentsAsync(feed, format, limits.Value, config.Sources.SettingsOf(run.Source)?.Format, cancellationToken))
        {
            if (entry is FeedRejection rejection)
            {
                await ingest.RejectAsync(rejection, cancellationToken);
                continue;
            }
            if (entry is FeedNotice notice)
            {
                await ingest.WarnAsync(notice.Location, notice.Message, null, cancellationToken);
                continue;
            }
            if (entry is not FeedRecord record)
            {
                continue;
            }
            if (StoredText.RecordProblem(record) is { } tooLong)
            {
                await ingest.RejectAsync(record.Location, tooLong, StoredText.Truncate(record.RecordId, StoredText.MaxRecordIdChars), null, warning: false, cancellationToken);
                continue;
            }
            counters.Records++;
            foreach (var warning in record.Warnings)
            {
                await ingest.WarnAsync(record.Location, warning, record.RecordId, cancellationToken);
            }
            if (record.ReportedAt is { } when && IngestRun.FutureDated(when, clock) is { } ahead)
            {
                await ingest.WarnAsync(record.Location, $"record time {when:O} is {ahead} after the feed was read: a mistyped date or a wrong time zone? A matching event counts from then", record.RecordId, cancellationToken);
            }
            var requestRefs = record.RequestRefs;
            if (requestRefs.Any(r => !StoredText.IsPossibleRequestId(r)))
            {
                await ingest.WarnAsync(record.Location, $"request reference longer than {RequestRegisterParser.MaxRequestIdLength} characters ignored: no request ID is that long", record.RecordId, cancellationToken);
                requestRefs = [.. requestRefs.Where(StoredText.IsPossibleRequestId)];
            }
            if (requestRefs.Any(r => !RequestReferences.IsPossible(r)))
            {
                // A URL, an ATT&CK or a CVE ID in a reference field is not a request: it must not make a pending event.
                await ingest.WarnAsync(record.Location, $"reference ignored, not a request ID (a URL, or a CVE, CWE, CAPEC or ATT&CK-catalogue ID): {string.Join(", ", requestRefs.Where(r => !RequestReferences.IsPossible(r)).Select(r => StoredText.Truncate(r, 100)))}", record.RecordId, cancellationToken);
                requestRefs = [.. requestRefs.Where(RequestReferences.IsPossible)];
            }
            indicators.Clear();
            foreach (var raw in record.Indicators)
            {
                var normalized = IndicatorNormalizer.TryNormalize(raw, out var indicator, out var error);
                if (normalized && indicator.ToString().Length > StoredText.MaxIndicatorChars)
                {
                    await ingest.WarnAsync(record.Location, $"indicator '{StoredText.Truncate(raw.Value, 200)}' skipped: longer than {StoredText.MaxIndicatorChars} characters", record.RecordId, cancellationToken);
                }
                else if (normalized)
                {
                    indicators.Add(indicator);
                }
                else
                {
                    await ingest.WarnAsync(record.Location, $"indicator '{StoredText.Truncate(raw.Value, 200)}' skipped: {error}", record.RecordId, cancellationToken);
                }
            }
            if (indicators.Count > 0 || requestRefs.Count > 0 || record.ReferenceText.Count > 0)
            {
                usable++;
            }
            var outcome = matcher.Match(requestRefs, record.Summary is null ? record.ReferenceText : record.ReferenceText.Append(record.Summary), indicators);
            if (only is not null)
            {
                // Matched against every open request, as a first read would be (the over-match cap counts them all),
                // then kept for the requests this read is for.
                outcome.Matches.RemoveAll(m => !only.Contains(m.RequestId));
            }
            counters.Suppressed += outcome.Suppressed;
            foreach (var flagged in outcome.OverMatched)
            {
                counters.OverMatched++;
                await ingest.WarnAsync(record.Location, $"over-matching value ignored: {flagged}", record.RecordId, cancellationToken);
            }
            if (outcome.Matches.Count == 0)
            {
                continue;
            }
            if (record.ReportedAt is not { } reportedAt)
            {
                // Only a record that can move an SLA clock needs its own time; anything else is related activity at the file's time.
                var reporterParty = config.Sources.PartyOf(record.Reporter, run.Source);
                var kind = record.Kind ?? EventKinds.Unspecified;
                if (outcome.Matches.FirstOrDefault(m => m.Request is not { } r || EventKinds.EffectOf(kind, reporterParty, r.RequestingParty, r.RespondingParty) == EventEffects.Timeline) is { } clockMatch)
                {
                    var why = clockMatch.Request is null ? "references a request not registered yet" : "would move its SLA clocks";
                    await ingest.RejectAsync(record.Location, $"record matches request {clockMatch.RequestId} and {why}, but has no reported_at time to place it on the timeline", record.RecordId, null, warning: false, cancellationToken);
                    continue;
                }
                reportedAt = run.BlobLastModified;
                await ingest.WarnAsync(record.Location, $"record has no time: its match to {outcome.Matches[0].RequestId} is kept as related activity at the file's time ({reportedAt:yyyy-MM-ddTHH:mm:ssZ})", record.RecordId, cancellationToken);
            }
            counters.MatchedRecords++;
            await WriteMatchesAsync(ingest, record, reportedAt, outcome, config, pendingRequests, cancellationToken);
        }
        if (counters.Records > 0 && usable == 0)
        {
            await ingest.WarnAsync("file", $"{counters.Records} records read, but none holds an indicator or a request reference: nothing in this file can match a request", null, cancellationToken);
        }
        await ingest.Buffer.FlushAsync(cancellationToken);
        if (pendingRequests.Count > 0)
        {
            // The register may have landed while this file was read: resolve now, or the register ingest will.
            await reassessment.ResolvePendingAsync(pendingRequests, cancellationToken);
        }
        return counters;
    }

    /// <summary>
    /// Per request matched: one Matches row per reason, carrying the record's timeline columns, and a RequestEvents row
    /// only when the record moves or may move one of its clocks (timeline or pending). Related activity is stored once.
    /// </summary>
    private async Task WriteMatchesAsync(IngestRun ingest, FeedRecord record, DateTimeOffset reportedAt, MatchOutcome outcome, ConfigSnapshot config,
        HashSet<string> pendingRequests, CancellationToken cancellationToken)
    {
        var run = ingest.Run;
        var source = run.Source;
        // Parsers give the canonical kind already.
        var kind = record.Kind ?? EventKinds.Unspecified;
        var reporterParty = config.Sources.PartyOf(record.Reporter, source);
        var summary = record.Summary is null ? null : StoredText.Truncate(record.Summary, 2000);
        var mitigation = record.Mitigation is null ? null : StoredText.Truncate(record.Mitigation, 2000);
        foreach (var group in outcome.Matches.GroupBy(m => m.RequestId, StringComparer.OrdinalIgnoreCase))
        {
            var first = group.First();
            var requestKey = KeyEncoding.RequestKey(first.RequestId);
            var matchTypes = string.Join(',', group.Select(m => MatchTypes.Name(m.Type)).Distinct());
            var request = first.Request;
            var effect = request is null ? EventEffects.Pending : EventKinds.EffectOf(kind, reporterParty, request.RequestingParty, request.RespondingParty);
            foreach (var match in group)
            {
                ingest.Counters.Matches++;
                await matches.AddAsync(ingest.Buffer, new MatchEntity
                {
                    PartitionKey = requestKey,
                    RowKey = KeyEncoding.Compose(source, record.RecordId, MatchTypes.Name(match.Type), match.Value),
                    RequestId = first.RequestId,
                    Source = source,
                    RecordId = record.RecordId,
                    MatchType = MatchTypes.Name(match.Type),
                    Indicator = match.Value,
                    RequestIndicator = match.RequestValue,
                    RecordTime = reportedAt,
                    Kind = kind,
                    BlobName = run.BlobName,
                    ContentHash = run.ContentHash!,
                    MatchTypes = matchTypes,
                    Reporter = record.Reporter,
                    ReporterParty = reporterParty,
                    Summary = summary,
                    HasFindings = record.HasFindings,
                    HasEvidence = record.HasEvidence,
                    Mitigation = mitigation,
                }, cancellationToken);
            }

            // Events counts timeline entries, wherever they are stored.
            ingest.Counters.Events++;
            if (effect == EventEffects.RelatedActivity)
            {
                continue;
            }
            if (request is null)
            {
                ingest.Counters.PendingEvents++;
                pendingRequests.Add(first.RequestId);
            }
            await events.AddAsync(ingest.Buffer, new RequestEventEntity
            {
                PartitionKey = requestKey,
                RowKey = RequestEventStore.RowKeyOf(reportedAt, source, record.RecordId),
                RequestId = first.RequestId,
                OccurredAt = reportedAt,
                Kind = kind,
                Effect = effect,
                Pending = request is null,
                ReporterParty = reporterParty,
                Reporter = record.Reporter,
                Source = source,
                RecordId = record.RecordId,
                Summary = summary,
                MatchTypes = matchTypes,
                HasFindings = record.HasFindings,
                HasEvidence = record.HasEvidence,
                Mitigation = mitigation,
                BlobName = run.BlobName,
                ContentHash = run.ContentHash!,
            }, cancellationToken);

            if (request is not null)
            {
                await schedule.MarkDirtyAsync(ingest.Buffer, request.RequestId, request.PartitionKey, cancellationToken);
            }
        }
    }
}

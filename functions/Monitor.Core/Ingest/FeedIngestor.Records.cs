using Azure.Data.Tables;
using Monitor.Core.Config;
using Monitor.Core.Feeds;
using Monitor.Core.Indicators;
using Monitor.Core.Matching;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Ingest;

public sealed partial class FeedIngestor
{
    private sealed class RunCounters
    {
        public int Records, MatchedRecords, Matches, Events, PendingEvents, Rejects, Warnings, Suppressed, OverMatched, RequestsLoaded;

        public void CopyTo(FeedRunEntity run)
        {
            run.Records = Records;
            run.MatchedRecords = MatchedRecords;
            run.Matches = Matches;
            run.Events = Events;
            run.PendingEvents = PendingEvents;
            run.Rejects = Rejects;
            run.Warnings = Warnings;
            run.SuppressedMatches = Suppressed;
            run.OverMatchedValues = OverMatched;
            run.RequestsLoaded = RequestsLoaded;
        }
    }

    /// <summary>Per-file writer state: batched writes plus the ordinal that keys Rejects rows.</summary>
    /// <param name="recordRejects">False when a file is read again for new requests: its rejects were recorded the first time.</param>
    private sealed class FileWriter(TableClient rejects, MonitorOptions options, IClock clock, FeedRunEntity run, RunCounters counters, bool recordRejects = true)
    {
        private int _rejectOrdinal;

        public WriteBuffer Buffer { get; } = new(options.WriteParallelism, options.WriteBufferEntities);

        public ValueTask RejectAsync(string location, string reason, string? recordId, string? raw, bool warning, CancellationToken ct)
        {
            if (warning)
            {
                counters.Warnings++;
            }
            else
            {
                counters.Rejects++;
            }
            if (!recordRejects)
            {
                return ValueTask.CompletedTask;
            }
            var entity = new RejectEntity
            {
                PartitionKey = run.ContentHash!,
                RowKey = (++_rejectOrdinal).ToString("D10"),
                BlobName = run.BlobName,
                Source = run.Source,
                Location = location,
                Reason = Truncate(reason, 4000),
                RecordId = recordId is null ? null : Truncate(recordId, 1000),
                Severity = warning ? "warning" : "reject",
                Raw = raw is null ? null : Truncate(raw, MaxRawRejectChars),
                RejectedAt = clock.GetCurrentInstant().ToDateTimeOffset(),
            };
            return Buffer.AddAsync(rejects, entity, TableUpdateMode.Replace, ct);
        }
    }

    /// <param name="again">The file is read again (its rejects were recorded the first time).</param>
    /// <param name="only">When reading again for requests registered or given new indicators after the first read: only
    /// their rows, the same as if they had been open the first time.</param>
    private async Task<RunCounters> IngestIncidentsAsync(FeedRunEntity run, string source, FeedSource feed, FeedFormat format, CancellationToken cancellationToken,
        bool again = false, IReadOnlySet<string>? only = null)
    {
        var counters = new RunCounters();
        var writer = new FileWriter(storage.Rejects, options.Value, clock, run, counters, recordRejects: !again);
        var config = await configuration.LoadAsync(cancellationToken);
        var index = await indexCache.GetAsync(cancellationToken);
        counters.RequestsLoaded = index.Count;
        var matcher = new RecordMatcher(index, config.Warninglist, _requestIdPattern, options.Value.OverMatchCap);
        var pendingRequests = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var indicators = new List<Indicator>();

        await foreach (var entry in FeedParsers.ParseIncidentsAsync(feed, format, limits.Value, cancellationToken))
        {
            if (entry is FeedRejection rejection)
            {
                await writer.RejectAsync(rejection.Location, rejection.Reason, rejection.RecordId, rejection.Raw, warning: false, cancellationToken);
                continue;
            }
            if (entry is not FeedRecord record)
            {
                continue;
            }
            if (StoredText.RecordProblem(record) is { } tooLong)
            {
                await writer.RejectAsync(record.Location, tooLong, Truncate(record.RecordId, StoredText.MaxRecordIdChars), null, warning: false, cancellationToken);
                continue;
            }
            counters.Records++;
            foreach (var warning in record.Warnings)
            {
                await writer.RejectAsync(record.Location, warning, record.RecordId, null, warning: true, cancellationToken);
            }
            var requestRefs = record.RequestRefs;
            if (requestRefs.Any(r => !StoredText.IsPossibleRequestId(r)))
            {
                await writer.RejectAsync(record.Location, $"request reference longer than {RequestRegisterParser.MaxRequestIdLength} characters ignored: no request ID is that long", record.RecordId, null, warning: true, cancellationToken);
                requestRefs = [.. requestRefs.Where(StoredText.IsPossibleRequestId)];
            }
            indicators.Clear();
            foreach (var raw in record.Indicators)
            {
                var normalized = IndicatorNormalizer.TryNormalize(raw, out var indicator, out var error);
                if (normalized && indicator.ToString().Length > StoredText.MaxIndicatorChars)
                {
                    await writer.RejectAsync(record.Location, $"indicator '{Truncate(raw.Value, 200)}' skipped: longer than {StoredText.MaxIndicatorChars} characters", record.RecordId, null, warning: true, cancellationToken);
                }
                else if (normalized)
                {
                    indicators.Add(indicator);
                }
                else
                {
                    await writer.RejectAsync(record.Location, $"indicator '{Truncate(raw.Value, 200)}' skipped: {error}", record.RecordId, null, warning: true, cancellationToken);
                }
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
                await writer.RejectAsync(record.Location, $"over-matching value ignored: {flagged}", record.RecordId, null, warning: true, cancellationToken);
            }
            if (outcome.Matches.Count == 0)
            {
                continue;
            }
            if (record.ReportedAt is not { } reportedAt)
            {
                await writer.RejectAsync(record.Location, $"record matches request {outcome.Matches[0].RequestId} but has no reported_at timestamp to place it on the timeline", record.RecordId, null, warning: false, cancellationToken);
                continue;
            }
            counters.MatchedRecords++;
            await WriteMatchesAsync(writer, run, source, record, reportedAt, outcome, config, counters, pendingRequests, cancellationToken);
        }
        await writer.Buffer.FlushAsync(cancellationToken);
        if (pendingRequests.Count > 0)
        {
            // The register may have landed while this file was read: resolve now, or the register ingest will.
            await ResolvePendingEventsAsync(pendingRequests, cancellationToken);
        }
        if (!again && await indexCache.NewerThanAsync(index, cancellationToken) is not null)
        {
            // A register landed while this file was read, and its retro-match did not see this file (not processed
            // yet): read it again against the requests open now. Same keys, so the rows of the first read are
            // overwritten, and the run counts what the second read matched.
            var second = await IngestIncidentsAsync(run, source, feed, format, cancellationToken, again: true);
            (counters.MatchedRecords, counters.Matches, counters.Events, counters.PendingEvents) =
                (second.MatchedRecords, second.Matches, second.Events, second.PendingEvents);
        }
        return counters;
    }

    private async Task WriteMatchesAsync(FileWriter writer, FeedRunEntity run, string source, FeedRecord record, DateTimeOffset reportedAt,
        MatchOutcome outcome, ConfigSnapshot config, RunCounters counters, HashSet<string> pendingRequests, CancellationToken cancellationToken)
    {
        var kind = EventKinds.Normalize(record.Kind);
        var reporterParty = config.Sources.PartyOf(record.Reporter, source);
        foreach (var group in outcome.Matches.GroupBy(m => m.RequestId, StringComparer.OrdinalIgnoreCase))
        {
            var first = group.First();
            var requestKey = KeyEncoding.RequestKey(first.RequestId);
            foreach (var match in group)
            {
                counters.Matches++;
                await writer.Buffer.AddAsync(storage.Matches, new MatchEntity
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
                }, TableUpdateMode.Replace, cancellationToken);
            }

            var request = first.Request;
            var effect = request is null ? EventKinds.PendingEffect : EventKinds.EffectOf(kind, reporterParty, request.RequestingParty, request.RespondingParty);
            counters.Events++;
            if (request is null)
            {
                counters.PendingEvents++;
                pendingRequests.Add(first.RequestId);
            }
            await writer.Buffer.AddAsync(storage.RequestEvents, new RequestEventEntity
            {
                PartitionKey = requestKey,
                RowKey = $"{KeyEncoding.InvertedTicks(reportedAt)}{KeyEncoding.Separator}{KeyEncoding.Compose(source, record.RecordId)}",
                RequestId = first.RequestId,
                OccurredAt = reportedAt,
                Kind = kind,
                Effect = effect,
                Pending = request is null,
                ReporterParty = reporterParty,
                Reporter = record.Reporter,
                Source = source,
                RecordId = record.RecordId,
                Summary = record.Summary is null ? null : Truncate(record.Summary, 2000),
                MatchTypes = string.Join(',', group.Select(m => MatchTypes.Name(m.Type)).Distinct()),
                HasFindings = record.HasFindings,
                HasEvidence = record.HasEvidence,
                Mitigation = record.Mitigation is null ? null : Truncate(record.Mitigation, 2000),
                BlobName = run.BlobName,
                ContentHash = run.ContentHash!,
            }, TableUpdateMode.Replace, cancellationToken);

            if (request is not null && effect == EventKinds.TimelineEffect)
            {
                await writer.Buffer.AddAsync(storage.SweepSchedule, SweepScheduleKeys.Dirty(request.RequestId, request.PartitionKey), TableUpdateMode.Replace, cancellationToken);
            }
        }
    }

    private async Task<RunCounters> IngestRegisterAsync(FeedRunEntity run, FeedSource feed, FeedFormat format, CancellationToken cancellationToken)
    {
        var counters = new RunCounters();
        var writer = new FileWriter(storage.Rejects, options.Value, clock, run, counters);
        var config = await configuration.LoadAsync(cancellationToken);
        var known = await LoadRequestPartitionsAsync(cancellationToken);
        counters.RequestsLoaded = known.Count;
        var newRequests = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var partiesChanged = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var indicatorsChanged = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var indicators = new List<Indicator>();

        await foreach (var entry in RequestRegisterParser.ParseAsync(feed, limits.Value, cancellationToken))
        {
            if (entry is FeedRejection rejection)
            {
                await writer.RejectAsync(rejection.Location, rejection.Reason, rejection.RecordId, rejection.Raw, warning: false, cancellationToken);
                continue;
            }
            if (entry is not RequestRecord request)
            {
                continue;
            }
            if (seen.TryGetValue(request.RequestId, out var firstLocation))
            {
                await writer.RejectAsync(request.Location, $"request {request.RequestId} appears again (first at {firstLocation}); the later row wins", request.RequestId, null, warning: true, cancellationToken);
            }
            seen[request.RequestId] = request.Location;
            counters.Records++;
            indicators.Clear();
            foreach (var raw in request.Indicators)
            {
                if (IndicatorNormalizer.TryNormalize(raw, out var indicator, out var error))
                {
                    if (!indicators.Contains(indicator))
                    {
                        indicators.Add(indicator);
                    }
                }
                else
                {
                    await writer.RejectAsync(request.Location, $"indicator '{Truncate(raw.Value, 200)}' skipped: {error}", request.RequestId, null, warning: true, cancellationToken);
                }
            }
            var formattedIndicators = RequestIndexCache.FormatIndicators(indicators);
            if (StoredText.RequestProblem(request, formattedIndicators) is { } tooLong)
            {
                counters.Records--;
                await writer.RejectAsync(request.Location, tooLong, request.RequestId, null, warning: false, cancellationToken);
                continue;
            }
            if (config.CalendarOf(request.RespondingParty) is null)
            {
                // Stored all the same (the register is the record), but say now why its clocks will not run.
                await writer.RejectAsync(request.Location, $"responding party '{request.RespondingParty}' has no business calendar ({MonitorConfiguration.CalendarsFolder}{request.RespondingParty}.json in the config container): the request's clocks cannot run until one is added or the row is corrected", request.RequestId, null, warning: true, cancellationToken);
            }
            var partition = KeyEncoding.Encode(request.RespondingParty);
            var rowKey = KeyEncoding.RequestKey(request.RequestId);
            var newIndicators = indicators.Count > 0 && (!known.TryGetValue(request.RequestId, out var before) || before.Indicators != formattedIndicators);
            if (newIndicators || (known.TryGetValue(request.RequestId, out var unfinished) && unfinished.RetroPending))
            {
                indicatorsChanged.Add(request.RequestId);
            }
            if (known.TryGetValue(request.RequestId, out var old))
            {
                if (old.Partition != partition)
                {
                    // The responding party changed: the row moves to the new party's partition.
                    await storage.Requests.DeleteEntityAsync(old.Partition, rowKey, cancellationToken: cancellationToken);
                }
                if (!string.Equals(old.RequestingParty, request.RequestingParty, StringComparison.OrdinalIgnoreCase)
                    || !string.Equals(old.RespondingParty, request.RespondingParty, StringComparison.OrdinalIgnoreCase))
                {
                    // Whose events count on the timeline depends on the parties: reassess the stored ones.
                    partiesChanged.Add(request.RequestId);
                }
            }
            else
            {
                newRequests.Add(request.RequestId);
            }
            await writer.Buffer.AddAsync(storage.Requests, new RequestEntity
            {
                PartitionKey = partition,
                RowKey = rowKey,
                RequestId = request.RequestId,
                RequestingParty = request.RequestingParty,
                RespondingParty = request.RespondingParty,
                Category = request.Category,
                Priority = request.Priority,
                SubmittedAt = request.SubmittedAt.ToUniversalTime(),
                Summary = request.Summary is null ? null : Truncate(request.Summary, 4000),
                Indicators = formattedIndicators,
                IndicatorCount = indicators.Count,
                Status = request.Status.ToString().ToLowerInvariant(),
                StatusChangedAt = request.StatusChangedAt?.ToUniversalTime(),
                RegisterBlob = run.BlobName,
                // Written with the indicators, so that a crash before the retro-match below leaves the work marked.
                RetroPending = newIndicators ? true : null,
            }, TableUpdateMode.Merge, cancellationToken);
            await writer.Buffer.AddAsync(storage.SweepSchedule, SweepScheduleKeys.Dirty(request.RequestId, partition), TableUpdateMode.Replace, cancellationToken);
        }
        await writer.Buffer.FlushAsync(cancellationToken);
        counters.Events = await ResolvePendingEventsAsync(newRequests, cancellationToken)
            + await ReassessEventsAsync(partiesChanged, pendingOnly: false, cancellationToken);
        await indexCache.InvalidateAsync(cancellationToken);
        var (retroMatches, retroEvents, skipped) = await RetroMatchAsync(indicatorsChanged, cancellationToken);
        counters.Matches = retroMatches;
        counters.Events += retroEvents;
        foreach (var (blob, reason) in skipped)
        {
            await writer.RejectAsync("file", $"feed {blob} could not be read again for the new or changed indicators of this register: {Truncate(reason, 1000)}", blob, null, warning: true, cancellationToken);
        }
        await writer.Buffer.FlushAsync(cancellationToken);
        return counters;
    }

    private sealed record KnownRequest(string Partition, string? RequestingParty, string? RespondingParty, string? Indicators, bool RetroPending);

    private async Task<Dictionary<string, KnownRequest>> LoadRequestPartitionsAsync(CancellationToken cancellationToken)
    {
        var known = new Dictionary<string, KnownRequest>(StringComparer.OrdinalIgnoreCase);
        string[] columns = ["PartitionKey", "RowKey", "RequestId", "RequestingParty", "RespondingParty", "Indicators", "RetroPending"];
        await foreach (var row in storage.Requests.QueryAsync<TableEntity>(maxPerPage: 1000, select: columns, cancellationToken: cancellationToken))
        {
            known[row.GetString("RequestId") ?? row.RowKey] = new KnownRequest(row.PartitionKey, row.GetString("RequestingParty"), row.GetString("RespondingParty"), row.GetString("Indicators") ?? "", row.GetBoolean("RetroPending") == true);
        }
        return known;
    }

    /// <summary>
    /// Pending events wait for their request to be registered. Once it is, each gets its real effect and the
    /// request is marked for the sweep. Safe to run twice and from both sides (register and feed).
    /// </summary>
    private Task<int> ResolvePendingEventsAsync(IEnumerable<string> requestIds, CancellationToken cancellationToken) =>
        ReassessEventsAsync(requestIds, pendingOnly: true, cancellationToken);

    /// <summary>
    /// Gives stored events the effect their request's current parties imply (pending ones, or all of them after the
    /// parties changed), and marks the request for the sweep when any changed. Returns the events rewritten.
    /// </summary>
    private async Task<int> ReassessEventsAsync(IEnumerable<string> requestIds, bool pendingOnly, CancellationToken cancellationToken)
    {
        var resolved = 0;
        foreach (var requestId in requestIds)
        {
            var key = KeyEncoding.RequestKey(requestId);
            var stored = new List<RequestEventEntity>();
            var filter = pendingOnly
                ? TableClient.CreateQueryFilter($"PartitionKey eq {key} and Pending eq {true}")
                : TableClient.CreateQueryFilter($"PartitionKey eq {key}");
            await foreach (var e in storage.RequestEvents.QueryAsync<RequestEventEntity>(filter, cancellationToken: cancellationToken))
            {
                stored.Add(e);
            }
            if (stored.Count == 0)
            {
                continue;
            }
            var request = await FindRequestAsync(requestId, cancellationToken);
            if (request is null)
            {
                continue;
            }
            var changed = new List<RequestEventEntity>();
            foreach (var e in stored)
            {
                var effect = EventKinds.EffectOf(e.Kind, e.ReporterParty, request.RequestingParty, request.RespondingParty);
                if (e.Pending || e.Effect != effect)
                {
                    e.Pending = false;
                    // The feed may have spelt the ID in another case: show the register's spelling.
                    e.RequestId = request.RequestId;
                    e.Effect = effect;
                    changed.Add(e);
                }
            }
            if (changed.Count == 0)
            {
                continue;
            }
            await new TableBatchWriter(options.Value.WriteParallelism).UpsertAsync(storage.RequestEvents, changed, TableUpdateMode.Replace, cancellationToken);
            await storage.SweepSchedule.UpsertEntityAsync(SweepScheduleKeys.Dirty(request.RequestId, request.PartitionKey), TableUpdateMode.Replace, cancellationToken);
            resolved += changed.Count;
        }
        return resolved;
    }

    private async Task<RequestEntity?> FindRequestAsync(string requestId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey eq {KeyEncoding.RequestKey(requestId)}");
        await foreach (var row in storage.Requests.QueryAsync<RequestEntity>(filter, maxPerPage: 10, cancellationToken: cancellationToken))
        {
            return row;
        }
        return null;
    }
}

namespace Monitor.Core.Storage;

/// <summary>
/// A request's whole timeline as the API, `explain`, the console and the review pack show it: its RequestEvents rows
/// (the records that move or may move a clock) merged with the related activity that is stored only in Matches. Both
/// tables are partitioned by request ID, so this is two partition reads.
/// </summary>
public sealed class RequestTimeline(RequestEventStore events, MatchStore matches)
{
    /// <summary>Every timeline entry of the request, newest first (RequestEvents order).</summary>
    public async Task<List<RequestEventEntity>> ReadAsync(string requestId, CancellationToken cancellationToken)
    {
        var stored = events.AllAsync(requestId, cancellationToken);
        var matched = await matches.ForRequestAsync(requestId, cancellationToken);
        return Merge(await stored, matched);
    }

    /// <summary>
    /// The events, plus one related-activity entry for each matched record that has no event row, built from its
    /// Matches rows with the key and columns an event row would have had. Newest first.
    /// </summary>
    public static List<RequestEventEntity> Merge(IEnumerable<RequestEventEntity> events, IEnumerable<MatchEntity> matches)
    {
        var merged = events.ToList();
        var recorded = merged.Select(e => (e.Source, e.RecordId)).ToHashSet();
        foreach (var record in matches.Where(m => m.RecordTime is not null && !recorded.Contains((m.Source, m.RecordId))).GroupBy(m => (m.Source, m.RecordId)))
        {
            var m = record.First();
            var at = m.RecordTime!.Value;
            merged.Add(new RequestEventEntity
            {
                PartitionKey = m.PartitionKey,
                RowKey = RequestEventStore.RowKeyOf(at, m.Source, m.RecordId),
                RequestId = m.RequestId,
                OccurredAt = at,
                Kind = m.Kind ?? "",
                Effect = EventEffects.RelatedActivity,
                ReporterParty = m.ReporterParty,
                Reporter = m.Reporter,
                Source = m.Source,
                RecordId = m.RecordId,
                Summary = m.Summary,
                MatchTypes = m.MatchTypes ?? string.Join(',', record.Select(r => r.MatchType).Distinct()),
                HasFindings = m.HasFindings,
                HasEvidence = m.HasEvidence,
                Mitigation = m.Mitigation,
                BlobName = m.BlobName,
                ContentHash = m.ContentHash,
            });
        }
        merged.Sort((a, b) => string.CompareOrdinal(a.RowKey, b.RowKey));
        return merged;
    }
}

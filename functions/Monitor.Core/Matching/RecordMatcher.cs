using System.Text.RegularExpressions;
using Monitor.Core.Config;
using Monitor.Core.Indicators;

namespace Monitor.Core.Matching;

/// <summary>One reason a record is tied to a request. <see cref="Request"/> is null for a reference to a request not registered yet.</summary>
internal sealed record RecordMatch(string RequestId, IndexedRequest? Request, MatchType Type, string Value, string RequestValue);

/// <summary>What matching one record produced, plus the counters that FeedRuns reports.</summary>
internal sealed class MatchOutcome
{
    public List<RecordMatch> Matches { get; } = [];
    public int Suppressed { get; set; }
    public List<string> OverMatched { get; } = [];

    internal void Clear()
    {
        Matches.Clear();
        Suppressed = 0;
        OverMatched.Clear();
    }
}

/// <summary>
/// Matches one record against the open requests: by explicit reference (reference fields, or the request-ID
/// pattern in free text, which only counts for registered requests) and by indicators. Warninglisted values
/// never match, and a value that would match more than the cap is flagged instead of matching everything.
/// One matcher serves one file, record after record: the outcome it returns is reused by the next call.
/// </summary>
internal sealed class RecordMatcher(RequestIndex index, Warninglist warninglist, Regex requestIdPattern, int overMatchCap)
{
    private readonly List<IndicatorHit> _hits = [];
    private readonly MatchOutcome _outcome = new();
    private readonly HashSet<string> _seenRefs = new(StringComparer.OrdinalIgnoreCase);

    public RequestIndex Index => index;

    /// <summary>Matches one record; the result is valid until the next call.</summary>
    public MatchOutcome Match(IReadOnlyList<string> explicitRefs, IEnumerable<string> freeText, IReadOnlyList<Indicator> indicators)
    {
        var outcome = _outcome;
        outcome.Clear();
        var seenRefs = _seenRefs;
        seenRefs.Clear();
        foreach (var reference in explicitRefs)
        {
            var id = reference.Trim();
            if (id.Length > 0 && seenRefs.Add(id))
            {
                var request = index.Find(id);
                outcome.Matches.Add(new RecordMatch(request?.RequestId ?? id, request, MatchType.Reference, id, request?.RequestId ?? id));
            }
        }
        foreach (var text in freeText)
        {
            // Free-text references only count for registered requests: text that holds no registered ID needs no regex.
            if (string.IsNullOrEmpty(text) || !index.MayMentionRequest(text))
            {
                continue;
            }
            foreach (Match m in requestIdPattern.Matches(text))
            {
                if (index.Find(m.Value) is { } request && seenRefs.Add(request.RequestId))
                {
                    outcome.Matches.Add(new RecordMatch(request.RequestId, request, MatchType.Reference, m.Value, request.RequestId));
                }
            }
        }
        foreach (var value in indicators)
        {
            _hits.Clear();
            index.Match(value, _hits);
            if (_hits.Count == 0)
            {
                continue;
            }
            if (warninglist.Contains(value))
            {
                outcome.Suppressed += _hits.Count;
                continue;
            }
            var distinctRequests = _hits.Select(h => h.Request.RequestId).Distinct(StringComparer.OrdinalIgnoreCase).Count();
            if (distinctRequests > overMatchCap)
            {
                outcome.OverMatched.Add($"{value} matches {distinctRequests} open requests (cap {overMatchCap})");
                continue;
            }
            foreach (var hit in _hits)
            {
                if (warninglist.Contains(hit.RequestIndicator))
                {
                    outcome.Suppressed++;
                    continue;
                }
                outcome.Matches.Add(new RecordMatch(hit.Request.RequestId, hit.Request, hit.Type, value.ToString(), hit.RequestIndicator.ToString()));
            }
        }
        return outcome;
    }
}

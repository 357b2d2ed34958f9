using Monitor.Core.Storage;
using NodaTime;
using NodaTime.Text;

namespace Monitor.Core.Reporting;

/// <summary>A request's quality score and the reasons for each part of it.</summary>
/// <param name="Score">0-100, or null when the request has no response event yet (nothing to judge).</param>
/// <param name="Reasons">One line per criterion, with the points it gave and the event it is based on.</param>
public sealed record QualityResult(int? Score, bool Findings, bool Evidence, bool Mitigation, bool? Recurrence, IReadOnlyList<string> Reasons);

/// <summary>
/// The quality rubric over a request's response events. Response events are the timeline events from the responding
/// party of kind response, status-update or closure, up to the evaluation instant.
/// <list type="bullet">
/// <item>Findings, 40 points: some response event says it included findings (HasFindings = true).</item>
/// <item>Evidence, 30 points: some response event says it included evidence (HasEvidence = true).</item>
/// <item>Mitigation, 20 points: some response event states a mitigation action (Mitigation is not empty and not a
/// "no"/"none"/"false"/"n/a"/"-"/"0").</item>
/// <item>No recurrence, 10 points: a mitigation was stated and no related activity (an event of a non-SLA kind, such as
/// a sighting or indicator report, from any source) was matched to the request after the first stated mitigation. Without a
/// stated mitigation there is nothing to hold, so this criterion gives 0.</item>
/// </list>
/// A request without any response event is not scored (null): the timeliness figures already count it.
/// </summary>
internal static class QualityRubric
{
    public const int FindingsPoints = 40;
    public const int EvidencePoints = 30;
    public const int MitigationPoints = 20;
    public const int NoRecurrencePoints = 10;

    private static readonly HashSet<string> ResponseKinds = [EventKinds.Response, EventKinds.StatusUpdate, EventKinds.Closure];
    private static readonly HashSet<string> NoMitigation = new(StringComparer.OrdinalIgnoreCase) { "no", "none", "false", "n/a", "na", "-", "0", "nil" };

    public static QualityResult Score(RequestEntity request, IEnumerable<RequestEventEntity> events, Instant asOf)
    {
        var until = asOf.ToDateTimeOffset();
        var known = events.Where(e => !e.Pending && e.OccurredAt <= until).OrderBy(e => e.OccurredAt).ThenBy(e => e.RowKey, StringComparer.Ordinal).ToList();
        var responses = known.Where(e => e.Effect == EventEffects.Timeline
                && string.Equals(e.ReporterParty, request.RespondingParty, StringComparison.OrdinalIgnoreCase)
                && ResponseKinds.Contains(e.Kind))
            .ToList();
        if (responses.Count == 0)
        {
            return new QualityResult(null, false, false, false, null,
                [$"not scored: no response, status update or closure from {request.RespondingParty} yet"]);
        }

        var reasons = new List<string>();
        var findings = responses.FirstOrDefault(e => e.HasFindings == true);
        reasons.Add(findings is null
            ? $"+0 findings: none of the {responses.Count} response event(s) reported findings"
            : $"+{FindingsPoints} findings: reported in {Describe(findings)}");
        var evidence = responses.FirstOrDefault(e => e.HasEvidence == true);
        reasons.Add(evidence is null
            ? $"+0 evidence: none of the {responses.Count} response event(s) included evidence"
            : $"+{EvidencePoints} evidence: included in {Describe(evidence)}");
        var mitigation = responses.FirstOrDefault(e => IsStated(e.Mitigation));
        reasons.Add(mitigation is null
            ? "+0 mitigation: no mitigation action stated"
            : $"+{MitigationPoints} mitigation: '{mitigation.Mitigation}' stated in {Describe(mitigation)}");

        bool? recurrence = null;
        var score = (findings is null ? 0 : FindingsPoints) + (evidence is null ? 0 : EvidencePoints) + (mitigation is null ? 0 : MitigationPoints);
        if (mitigation is null)
        {
            reasons.Add("+0 no recurrence: not applicable without a stated mitigation");
        }
        else
        {
            var again = known.FirstOrDefault(e => e.OccurredAt > mitigation.OccurredAt && !EventKinds.IsSlaKind(e.Kind));
            recurrence = again is not null;
            if (again is null)
            {
                score += NoRecurrencePoints;
                reasons.Add($"+{NoRecurrencePoints} no recurrence: no related activity matched after the mitigation of {Utc(mitigation.OccurredAt)}");
            }
            else
            {
                reasons.Add($"+0 recurrence: {again.Kind} {again.RecordId} from {again.Source} at {Utc(again.OccurredAt)}, after the mitigation of {Utc(mitigation.OccurredAt)}");
            }
        }
        return new QualityResult(score, findings is not null, evidence is not null, mitigation is not null, recurrence, reasons);
    }

    private static bool IsStated(string? mitigation) =>
        !string.IsNullOrWhiteSpace(mitigation) && !NoMitigation.Contains(mitigation.Trim());

    private static string Describe(RequestEventEntity e) => $"{e.Kind} {e.RecordId} ({e.Source}, {Utc(e.OccurredAt)})";

    private static string Utc(DateTimeOffset at) => InstantPattern.General.Format(Instant.FromDateTimeOffset(at));
}

using NodaTime;
using NodaTime.Text;

namespace Monitor.Core.Sla;

/// <summary>The obligations a request carries, one clock each.</summary>
public enum ClockKind
{
    Acknowledgement,
    Response,
    Update,
}

/// <summary>The level of a clock at an instant. <see cref="ClockLevels.Name"/> gives the public string for each.</summary>
public enum ClockLevel
{
    Pending,
    AtRisk,
    Overdue,
    Escalated,
    Met,
    MetLate,
    Paused,
    Stopped,
}

public static class ClockLevels
{
    /// <summary>The public name of a level (a contract shared with tables, alerts and the API).</summary>
    public static string Name(ClockLevel level) => level switch
    {
        ClockLevel.Pending => "pending",
        ClockLevel.AtRisk => "at-risk",
        ClockLevel.Overdue => "overdue",
        ClockLevel.Escalated => "escalated",
        ClockLevel.Met => "met",
        ClockLevel.MetLate => "met-late",
        ClockLevel.Paused => "paused",
        ClockLevel.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    public static bool TryParse(string? name, out ClockLevel level)
    {
        foreach (var candidate in Enum.GetValues<ClockLevel>())
        {
            if (string.Equals(Name(candidate), name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                level = candidate;
                return true;
            }
        }
        level = default;
        return false;
    }

    /// <summary>
    /// How bad a level is, for the overall level of a request (the worst of its clocks):
    /// escalated &gt; overdue &gt; at-risk &gt; paused &gt; pending &gt; met-late &gt; met &gt; stopped.
    /// A paused clock ranks above a pending one because it needs the requester's attention.
    /// </summary>
    public static int Severity(ClockLevel level) => level switch
    {
        ClockLevel.Escalated => 7,
        ClockLevel.Overdue => 6,
        ClockLevel.AtRisk => 5,
        ClockLevel.Paused => 4,
        ClockLevel.Pending => 3,
        ClockLevel.MetLate => 2,
        ClockLevel.Met => 1,
        ClockLevel.Stopped => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    /// <summary>The worse of two levels by <see cref="Severity"/>.</summary>
    public static ClockLevel Worst(ClockLevel a, ClockLevel b) => Severity(b) > Severity(a) ? b : a;

    /// <summary>Whether the level is final: the clock no longer runs.</summary>
    public static bool IsFinal(ClockLevel level) => level is ClockLevel.Met or ClockLevel.MetLate or ClockLevel.Stopped;
}

/// <summary>A request as the clock engine needs it.</summary>
/// <param name="StatusChangedAt">When the request was closed or withdrawn; see <see cref="ClockEngine"/> when it is missing.</param>
internal sealed record SlaRequest(
    string RequestId,
    string RequestingParty,
    string RespondingParty,
    string Category,
    string Priority,
    Instant SubmittedAt,
    RequestStatus Status,
    Instant? StatusChangedAt);

/// <summary>One event of a request's timeline.</summary>
/// <param name="Kind">One of <see cref="SlaEventKinds"/>, or any other kind (ignored by the clocks).</param>
/// <param name="Party">The party the event came from, or null when unknown.</param>
/// <param name="EventId">A stable id; it orders events that share an instant.</param>
public sealed record SlaEvent(Instant At, string Kind, string? Party, string EventId);

/// <summary>An interval during which a clock did not count time: the responder waited for the requester.</summary>
/// <param name="To">When the pause ended; null while the clock is still waiting for the requesting party.</param>
/// <param name="WorkingTimeExcluded">The working time of the clock's calendar inside the pause; null while it is open.</param>
/// <param name="StartedBy">The info-request event that started the pause.</param>
/// <param name="EndedBy">The event that ended it (the requester's reply, or what stopped the clock).</param>
public sealed record ClockPause(Instant From, Instant? To, Duration? WorkingTimeExcluded, string StartedBy, string? EndedBy)
{
    public bool Contains(Instant instant) => From <= instant && (To is not { } to || instant < to);
}

/// <summary>
/// One cycle of a clock. Acknowledgement and response clocks have one cycle; the update clock starts a new cycle at
/// every status update. <see cref="AtRiskAt"/>, <see cref="DueAt"/> and <see cref="EscalateAt"/> are the first instants
/// at which the cycle's consumed time reaches atRisk × target, the target and (1 + escalateAfter) × target; consumed
/// time is the working time of the clock's calendar since <see cref="Start"/>, minus pauses. They are null when they
/// are never reached because the clock is paused with no reply yet. For a cycle that ended they are the instants the
/// clock would have reached had it kept running, so a report can say by how much a target was met.
/// </summary>
/// <param name="Outcome">Met, MetLate or Stopped once the cycle has ended; null while it runs.</param>
/// <param name="EndedBy">The event id that ended the cycle, or "status:closed" / "status:withdrawn".</param>
public sealed record ClockCycle(
    int Number,
    Instant Start,
    Instant? AtRiskAt,
    Instant? DueAt,
    Instant? EscalateAt,
    Instant? EndedAt,
    ClockLevel? Outcome,
    string? EndedBy,
    IReadOnlyList<ClockPause> Pauses)
{
    public bool Equals(ClockCycle? other) =>
        other is not null
        && Number == other.Number && Start == other.Start && AtRiskAt == other.AtRiskAt && DueAt == other.DueAt
        && EscalateAt == other.EscalateAt && EndedAt == other.EndedAt && Outcome == other.Outcome && EndedBy == other.EndedBy
        && Pauses.SequenceEqual(other.Pauses);

    public override int GetHashCode() => HashCode.Combine(Number, Start, DueAt, EndedAt, Outcome, Pauses.Count);

    /// <summary>The level of this cycle at <paramref name="t"/>, as if no later cycle had started.</summary>
    internal ClockLevel LevelAt(Instant t)
    {
        if (EndedAt is { } ended && ended <= t)
        {
            return Outcome ?? ClockLevel.Stopped;
        }
        if (EscalateAt is { } escalate && escalate <= t)
        {
            return ClockLevel.Escalated;
        }
        if (DueAt is { } due && due <= t)
        {
            // A pause that starts after the due instant does not hide the breach.
            return ClockLevel.Overdue;
        }
        if (Pauses.Any(pause => pause.Contains(t)))
        {
            return ClockLevel.Paused;
        }
        return AtRiskAt is { } atRisk && atRisk <= t ? ClockLevel.AtRisk : ClockLevel.Pending;
    }

    internal IEnumerable<Instant> ChangeCandidates()
    {
        yield return Start;
        foreach (var instant in new[] { AtRiskAt, DueAt, EscalateAt, EndedAt })
        {
            if (instant is { } value)
            {
                yield return value;
            }
        }
        foreach (var pause in Pauses)
        {
            yield return pause.From;
            if (pause.To is { } to)
            {
                yield return to;
            }
        }
    }
}

/// <summary>
/// The state of one clock of a request, computed from the whole known timeline by <see cref="ClockEngine.Compute"/>.
/// The convenience properties describe the current (last) cycle; <see cref="Cycles"/> keeps the history.
/// </summary>
/// <param name="Target">The target as working time on the clock's calendar (P1D on an 8h calendar = 8h).</param>
/// <param name="Explanation">Readable lines: calendar and target, start, pauses and the working time they excluded, thresholds, and why the clock ended as it did.</param>
public sealed record ClockState(
    ClockKind Kind,
    string CalendarName,
    Duration Target,
    IReadOnlyList<ClockCycle> Cycles,
    IReadOnlyList<string> Explanation)
{
    public ClockCycle Current => Cycles[^1];

    /// <summary>
    /// Set when the clock reaches past the last year its calendar lists holidays for (see
    /// <see cref="BusinessCalendar.HorizonWarning"/>): its instants count unlisted days there as plain weekdays.
    /// </summary>
    public string? CalendarWarning { get; init; }

    public Instant Start => Current.Start;

    /// <summary>The number of the current cycle: 0 for the first, +1 per status update (update clock only).</summary>
    public int Cycle => Current.Number;

    public Instant? AtRiskAt => Current.AtRiskAt;

    public Instant? DueAt => Current.DueAt;

    public Instant? EscalateAt => Current.EscalateAt;

    /// <summary>When the clock was met (on time or late); null if it is running or was stopped.</summary>
    public Instant? MetAt => Current.Outcome is ClockLevel.Met or ClockLevel.MetLate ? Current.EndedAt : null;

    public bool MetLate => Current.Outcome == ClockLevel.MetLate;

    /// <summary>When the clock was stopped without being met (the request was withdrawn).</summary>
    public Instant? StoppedAt => Current.Outcome == ClockLevel.Stopped ? Current.EndedAt : null;

    public bool IsRunning => Current.Outcome is null;

    /// <summary>Whether the clock is waiting for the requesting party at the end of the known timeline.</summary>
    public bool Paused => IsRunning && Current.Pauses.Count > 0 && Current.Pauses[^1].To is null;

    /// <summary>All pauses of all cycles, in order.</summary>
    public IReadOnlyList<ClockPause> Pauses => [.. Cycles.SelectMany(cycle => cycle.Pauses)];

    /// <summary>
    /// The level of the clock at <paramref name="t"/>. It is a true function of t given the timeline: a clock met at M
    /// reports the level it had before M (pending, at-risk, overdue...) for t &lt; M. Because thresholds depend only on
    /// pauses that began before them, the level at t depends only on events at or before t. Before the request was
    /// submitted the level is pending. During a pause the level is paused, unless the clock was already overdue, in
    /// which case it stays overdue (or escalated) and stops progressing.
    /// </summary>
    public ClockLevel LevelAt(Instant t)
    {
        var cycle = Cycles[0];
        foreach (var candidate in Cycles)
        {
            if (candidate.Start <= t)
            {
                cycle = candidate;
            }
        }
        return t < cycle.Start ? ClockLevel.Pending : cycle.LevelAt(t);
    }

    /// <summary>The earliest instant after <paramref name="t"/> at which <see cref="LevelAt"/> differs from the level just before it; null if the level never changes again.</summary>
    public Instant? NextChangeAfter(Instant t)
    {
        var level = LevelAt(t);
        foreach (var candidate in Cycles.SelectMany(cycle => cycle.ChangeCandidates()).Where(instant => instant > t).Distinct().Order())
        {
            var next = LevelAt(candidate);
            if (next != level)
            {
                return candidate;
            }
            level = next;
        }
        return null;
    }

    /// <summary>One sentence saying why the clock has its level at <paramref name="t"/> (instants in UTC).</summary>
    public string ExplainLevelAt(Instant t)
    {
        var level = LevelAt(t);
        var cycle = Cycles.LastOrDefault(candidate => candidate.Start <= t) ?? Cycles[0];
        var name = ClockLevels.Name(level);
        var cycleText = Kind == ClockKind.Update ? $" (cycle {cycle.Number})" : "";
        return level switch
        {
            ClockLevel.Met => $"{name}{cycleText}: stopped by {cycle.EndedBy} at {Utc(cycle.EndedAt)}, at or before due {Utc(cycle.DueAt)}",
            ClockLevel.MetLate => $"{name}{cycleText}: stopped by {cycle.EndedBy} at {Utc(cycle.EndedAt)}, after due {Utc(cycle.DueAt)}",
            ClockLevel.Stopped => $"{name}{cycleText}: the request was withdrawn at {Utc(cycle.EndedAt)}",
            ClockLevel.Escalated => $"{name}{cycleText}: due {Utc(cycle.DueAt)}, escalation threshold passed at {Utc(cycle.EscalateAt)}",
            ClockLevel.Overdue => $"{name}{cycleText}: due {Utc(cycle.DueAt)}; escalates at {Utc(cycle.EscalateAt)}",
            ClockLevel.Paused => $"{name}{cycleText}: waiting for the requesting party since {Utc(cycle.Pauses.Last(pause => pause.Contains(t)).From)}",
            ClockLevel.AtRisk => $"{name}{cycleText}: at risk since {Utc(cycle.AtRiskAt)}; due {Utc(cycle.DueAt)}",
            _ => $"{name}{cycleText}: started {Utc(cycle.Start)}; at risk from {Utc(cycle.AtRiskAt)}, due {Utc(cycle.DueAt)}",
        };
    }

    public bool Equals(ClockState? other) =>
        other is not null
        && Kind == other.Kind && CalendarName == other.CalendarName && Target == other.Target && CalendarWarning == other.CalendarWarning
        && Cycles.SequenceEqual(other.Cycles) && Explanation.SequenceEqual(other.Explanation);

    public override int GetHashCode() => HashCode.Combine(Kind, CalendarName, Target, Cycles.Count, Current);

    private static string Utc(Instant? instant) => instant is { } value ? InstantPattern.General.Format(value) : "never (paused)";
}

/// <summary>The three clocks of a request.</summary>
public sealed class RequestClocks(string requestId, SlaRule rule, ClockState acknowledgement, ClockState response, ClockState update)
{
    public string RequestId { get; } = requestId;

    /// <summary>The policy rule that set the targets.</summary>
    public SlaRule Rule { get; } = rule;

    public ClockState Acknowledgement { get; } = acknowledgement;

    public ClockState Response { get; } = response;

    public ClockState Update { get; } = update;

    /// <summary>The clocks in a fixed order: acknowledgement, response, update.</summary>
    public IReadOnlyList<ClockState> All => [Acknowledgement, Response, Update];

    public ClockState this[ClockKind kind] => kind switch
    {
        ClockKind.Acknowledgement => Acknowledgement,
        ClockKind.Response => Response,
        ClockKind.Update => Update,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The overall level at <paramref name="t"/>: the worst level of the three clocks (see <see cref="ClockLevels.Severity"/>).</summary>
    public ClockLevel LevelAt(Instant t) => WorstClockAt(t).LevelAt(t);

    /// <summary>The clock that sets the overall level at <paramref name="t"/> (the first in <see cref="All"/> order on a tie).</summary>
    public ClockState WorstClockAt(Instant t)
    {
        var worst = Acknowledgement;
        foreach (var clock in All)
        {
            if (ClockLevels.Severity(clock.LevelAt(t)) > ClockLevels.Severity(worst.LevelAt(t)))
            {
                worst = clock;
            }
        }
        return worst;
    }

    /// <summary>The earliest instant after <paramref name="t"/> at which any clock's level changes; null if none will.</summary>
    public Instant? NextChangeAfter(Instant t) =>
        All.Select(clock => clock.NextChangeAfter(t)).Where(instant => instant is not null).Min();
}

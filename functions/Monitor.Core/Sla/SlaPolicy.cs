using System.Globalization;
using System.Text.Json;

namespace Monitor.Core.Sla;

/// <summary>Names a clock's calendar can have in the policy besides a party code.</summary>
internal static class SlaCalendarNames
{
    /// <summary>The responding party's business calendar.</summary>
    public const string Business = "business";

    /// <summary>The continuous calendar, <see cref="BusinessCalendar.Continuous"/>.</summary>
    public const string Continuous = BusinessCalendar.ContinuousName;
}

/// <summary>
/// When a clock changes level, as fractions of its target. A clock is at risk once <see cref="AtRisk"/> × target of
/// working time is used, due once the whole target is used, and escalated once a further
/// <see cref="EscalateAfter"/> × target has passed after the due instant, counted on the clock's own calendar.
/// </summary>
public sealed record SlaThresholds(double AtRisk, double EscalateAfter)
{
    public static SlaThresholds Default { get; } = new(0.75, 1.0);
}

/// <summary>A clock's target and the calendar it is counted on ("business", "24x7" or a party code).</summary>
public sealed record ClockTarget(SlaDuration Duration, string Calendar);

/// <summary>One policy rule: the targets of the three clocks for a priority and a category ("*" = any category).</summary>
public sealed record SlaRule(string Priority, string Category, ClockTarget Acknowledgement, ClockTarget Response, ClockTarget Update)
{
    public const string AnyCategory = "*";

    public ClockTarget For(ClockKind kind) => kind switch
    {
        ClockKind.Acknowledgement => Acknowledgement,
        ClockKind.Response => Response,
        ClockKind.Update => Update,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Whether the rule applies; priority and category compare case-insensitively.</summary>
    public bool Matches(string priority, string category) =>
        string.Equals(Priority, priority?.Trim(), StringComparison.OrdinalIgnoreCase)
        && (Category == AnyCategory || string.Equals(Category, category?.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The SLA policy: thresholds and an ordered list of rules. The first rule whose priority and category match wins, so
/// a rule for an exact category is listed before the "*" rule of the same priority.
/// </summary>
public sealed class SlaPolicy
{
    private SlaPolicy(SlaThresholds thresholds, IReadOnlyList<SlaRule> rules)
    {
        Thresholds = thresholds;
        Rules = rules;
    }

    public SlaThresholds Thresholds { get; }

    public IReadOnlyList<SlaRule> Rules { get; }

    /// <summary>The distinct priorities the policy knows, in rule order.</summary>
    public IEnumerable<string> Priorities => Rules.Select(rule => rule.Priority).Distinct(StringComparer.OrdinalIgnoreCase);

    public bool TryFindRule(string priority, string category, out SlaRule? rule)
    {
        rule = Rules.FirstOrDefault(candidate => candidate.Matches(priority, category));
        return rule is not null;
    }

    /// <summary>The first rule matching <paramref name="priority"/> and <paramref name="category"/>.</summary>
    /// <exception cref="SlaConfigurationException">No rule matches; the message says whether the priority is unknown.</exception>
    public SlaRule RuleFor(string priority, string category)
    {
        if (TryFindRule(priority, category, out var rule))
        {
            return rule!;
        }
        var known = string.Join(", ", Priorities);
        throw Rules.Any(candidate => string.Equals(candidate.Priority, priority?.Trim(), StringComparison.OrdinalIgnoreCase))
            ? new SlaConfigurationException($"SLA policy: no rule for priority '{priority}' and category '{category}'; add a rule with category \"*\"")
            : new SlaConfigurationException($"SLA policy: unknown priority '{priority}' (known: {known})");
    }

    /// <summary>Parses a policy document (see policy.json).</summary>
    /// <exception cref="SlaConfigurationException">The document is not valid JSON or breaks a rule; the message says where.</exception>
    public static SlaPolicy Parse(string json) => ConfigJson.Read(json, "SLA policy", FromDocument);

    /// <summary>Reads a policy document from a stream (UTF-8 JSON).</summary>
    /// <exception cref="SlaConfigurationException">The document is not valid JSON or breaks a rule; the message says where.</exception>
    public static SlaPolicy Load(Stream stream) => ConfigJson.Read(stream, "SLA policy", FromDocument);

    private static SlaPolicy FromDocument(JsonElement root)
    {
        var reader = new ConfigJson("SLA policy");
        reader.RequireObject(root, "$", "thresholds", "rules", "note", "$schema");

        var thresholds = SlaThresholds.Default;
        if (root.TryGetProperty("thresholds", out var thresholdsElement) && thresholdsElement.ValueKind != JsonValueKind.Null)
        {
            reader.RequireObject(thresholdsElement, "$.thresholds", "atRisk", "escalateAfter");
            var atRisk = Fraction(reader, thresholdsElement, "atRisk", SlaThresholds.Default.AtRisk);
            var escalateAfter = Fraction(reader, thresholdsElement, "escalateAfter", SlaThresholds.Default.EscalateAfter);
            if (atRisk is <= 0 or > 1)
            {
                throw reader.Error("$.thresholds.atRisk", $"must be greater than 0 and at most 1, not {atRisk.ToString(CultureInfo.InvariantCulture)}");
            }
            if (escalateAfter is <= 0 or > 100)
            {
                throw reader.Error("$.thresholds.escalateAfter", $"must be greater than 0 (a fraction of the target after the due instant), not {escalateAfter.ToString(CultureInfo.InvariantCulture)}");
            }
            thresholds = new SlaThresholds(atRisk, escalateAfter);
        }

        var rulesElement = reader.RequiredProperty(root, "$", "rules");
        if (rulesElement.ValueKind != JsonValueKind.Array || rulesElement.GetArrayLength() == 0)
        {
            throw reader.Error("$.rules", "must be a non-empty array of rules");
        }
        var rules = new List<SlaRule>();
        var index = 0;
        foreach (var element in rulesElement.EnumerateArray())
        {
            var path = $"$.rules[{index++}]";
            reader.RequireObject(element, path, "priority", "category", "calendar", "acknowledgement", "response", "update", "note");
            var priority = reader.RequiredString(element, path, "priority");
            var category = reader.OptionalString(element, path, "category")?.Trim() is { Length: > 0 } given ? given : SlaRule.AnyCategory;
            var calendar = reader.OptionalString(element, path, "calendar")?.Trim() is { Length: > 0 } named ? named : SlaCalendarNames.Business;
            var rule = new SlaRule(
                priority,
                category,
                Target(reader, element, path, "acknowledgement", calendar),
                Target(reader, element, path, "response", calendar),
                Target(reader, element, path, "update", calendar));
            var shadowing = rules.FirstOrDefault(earlier => earlier.Matches(priority, category));
            if (shadowing is not null)
            {
                throw reader.Error(path, $"can never apply: an earlier rule (priority '{shadowing.Priority}', category '{shadowing.Category}') already matches; list exact categories before \"*\"");
            }
            rules.Add(rule);
        }
        return new SlaPolicy(thresholds, rules);
    }

    private static double Fraction(ConfigJson reader, JsonElement element, string name, double fallback)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw reader.Error($"$.thresholds.{name}", "must be a number");
    }

    /// <summary>A target is a duration string (counted on the rule's calendar) or {"target": duration, "calendar": name}.</summary>
    private static ClockTarget Target(ConfigJson reader, JsonElement rule, string rulePath, string name, string ruleCalendar)
    {
        var path = $"{rulePath}.{name}";
        var element = reader.RequiredProperty(rule, rulePath, name);
        string text;
        var calendar = ruleCalendar;
        if (element.ValueKind == JsonValueKind.Object)
        {
            reader.RequireObject(element, path, "target", "calendar");
            text = reader.RequiredString(element, path, "target");
            calendar = reader.OptionalString(element, path, "calendar")?.Trim() is { Length: > 0 } named ? named : ruleCalendar;
            path += ".target";
        }
        else if (element.ValueKind == JsonValueKind.String)
        {
            text = element.GetString()!;
        }
        else
        {
            throw reader.Error(path, "must be an ISO-8601 duration string or {\"target\": ..., \"calendar\": ...}");
        }
        if (!SlaDuration.TryParse(text, out var duration, out var error))
        {
            throw reader.Error(path, error!);
        }
        if (duration.IsZero)
        {
            throw reader.Error(path, "must be longer than zero");
        }
        return new ClockTarget(duration, calendar);
    }
}

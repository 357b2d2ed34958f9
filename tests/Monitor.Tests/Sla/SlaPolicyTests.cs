using Monitor.Core.Sla;
using NodaTime;
using Xunit;
using static Monitor.Tests.Sla.SlaTestData;

namespace Monitor.Tests.Sla;

public sealed class SlaPolicyTests
{
    [Fact]
    public void Default_policy_has_the_documented_rules()
    {
        var policy = SlaDefaults.Policy;

        Assert.Equal(new SlaThresholds(0.75, 1.0), policy.Thresholds);
        Assert.Equal(["critical", "high", "medium", "low"], policy.Priorities);
        var high = policy.RuleFor("HIGH", "anything");
        Assert.Equal(new ClockTarget(SlaDuration.Parse("P1D"), "business"), high.Acknowledgement);
        Assert.Equal(new ClockTarget(SlaDuration.Parse("P5D"), "business"), high.Response);
        Assert.Equal(new ClockTarget(SlaDuration.Parse("P7D"), "24x7"), high.Update);
        Assert.Equal("24x7", policy.RuleFor("critical", "x").Response.Calendar);
        Assert.Equal("P30D", policy.RuleFor("low", "x").Response.Duration.Text);
    }

    [Fact]
    public void First_matching_rule_wins_so_exact_categories_come_first()
    {
        var policy = SlaPolicy.Parse("""
            {"rules":[
              {"priority":"high","category":"mitigation","acknowledgement":"PT2H","response":"P1D","update":"P1D"},
              {"priority":"high","category":"*","acknowledgement":"P1D","response":"P5D","update":"P7D"}]}
            """);

        Assert.Equal("PT2H", policy.RuleFor("high", "Mitigation").Acknowledgement.Duration.Text);
        Assert.Equal("P1D", policy.RuleFor("high", "investigation").Acknowledgement.Duration.Text);
        // Without "thresholds" the defaults apply.
        Assert.Equal(SlaThresholds.Default, policy.Thresholds);
    }

    [Fact]
    public void Unknown_priority_is_a_clear_error()
    {
        var error = Assert.Throws<SlaConfigurationException>(() => SlaDefaults.Policy.RuleFor("urgent", "x"));

        Assert.Contains("unknown priority 'urgent'", error.Message);
        Assert.Contains("critical, high, medium, low", error.Message);
        Assert.False(SlaDefaults.Policy.TryFindRule("urgent", "x", out _));
    }

    [Fact]
    public void Priority_without_a_matching_category_names_the_category()
    {
        var policy = SlaPolicy.Parse("""{"rules":[{"priority":"high","category":"mitigation","acknowledgement":"PT2H","response":"P1D","update":"P1D"}]}""");

        var error = Assert.Throws<SlaConfigurationException>(() => policy.RuleFor("high", "investigation"));

        Assert.Contains("category 'investigation'", error.Message);
    }

    public static TheoryData<string, string> BadPolicies => new()
    {
        { """{"rules":[{"priority":"high","acknowledgement":"P1W","response":"P5D","update":"P7D"}]}""", "$.rules[0].acknowledgement 'P1W' uses years, months or weeks" },
        { """{"rules":[{"priority":"high","acknowledgement":"P1D","response":"5 days","update":"P7D"}]}""", "$.rules[0].response '5 days' is not an ISO-8601 duration" },
        { """{"rules":[{"priority":"high","acknowledgement":"P1D","response":"P5D","update":{"target":"P1M","calendar":"24x7"}}]}""", "$.rules[0].update.target 'P1M'" },
        { """{"rules":[{"priority":"high","acknowledgement":"PT0S","response":"P5D","update":"P7D"}]}""", "must be longer than zero" },
        { """{"rules":[{"priority":"high","acknowledgement":"P1D","response":"P5D"}]}""", "$.rules[0].update is required" },
        { """{"rules":[{"acknowledgement":"P1D","response":"P5D","update":"P7D"}]}""", "$.rules[0].priority is required" },
        { """{"thresholds":{"atRisk":1.5},"rules":[{"priority":"high","acknowledgement":"P1D","response":"P5D","update":"P7D"}]}""", "$.thresholds.atRisk must be greater than 0 and at most 1" },
        { """{"thresholds":{"escalateAfter":0},"rules":[{"priority":"high","acknowledgement":"P1D","response":"P5D","update":"P7D"}]}""", "$.thresholds.escalateAfter must be greater than 0" },
        { """{"thresholds":{"atRisk":"most"},"rules":[{"priority":"high","acknowledgement":"P1D","response":"P5D","update":"P7D"}]}""", "$.thresholds.atRisk must be a number" },
        { """{"rules":[]}""", "$.rules must be a non-empty array" },
        { """{"rules":[{"priority":"high","acknowledgement":"P1D","response":"P5D","update":"P7D"},{"priority":"high","category":"mitigation","acknowledgement":"P1D","response":"P5D","update":"P7D"}]}""", "$.rules[1] can never apply" },
        { """{"rules":[{"priority":"high","acknowledgement":"P1D","response":"P5D","update":"P7D","escalation":"P1D"}]}""", "$.rules[0].escalation is not a known property" },
        { """{"rules":[{"priority":"high","acknowledgement":4,"response":"P5D","update":"P7D"}]}""", "$.rules[0].acknowledgement must be an ISO-8601 duration string" },
        { """{"rules":[""", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadPolicies))]
    public void Bad_policy_gives_a_clear_error(string json, string expected)
    {
        var error = Assert.Throws<SlaConfigurationException>(() => SlaPolicy.Parse(json));

        Assert.Contains(expected, error.Message);
    }

    public static TheoryData<string, string, double> TargetLengths => new()
    {
        // P1D = one working day: 8h on CN's 09:00-17:00 calendar, 24h on 24x7
        { "P1D", "CN", 8 },
        { "P1D", "24x7", 24 },
        // P1DT4H = 8h + 4h working on CN; 24h + 4h on 24x7
        { "P1DT4H", "CN", 12 },
        { "P1DT4H", "24x7", 28 },
        // PT36H stays 36 working hours (never normalised to P1DT12H, which would be 20h on CN)
        { "PT36H", "CN", 36 },
        // PT90M = 1.5h
        { "PT90M", "US", 1.5 },
        // P30D = 240h on US
        { "P30D", "US", 240 },
    };

    [Theory]
    [MemberData(nameof(TargetLengths))]
    public void Targets_are_measured_in_the_calendars_working_days(string target, string calendar, double hours)
    {
        Assert.Equal(Duration.FromMinutes((long)(hours * 60)), SlaDuration.Parse(target).On(ByName(calendar)));
    }
}

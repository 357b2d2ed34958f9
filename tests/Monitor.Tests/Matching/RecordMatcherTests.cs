using System.Text.RegularExpressions;
using Monitor.Core.Config;
using Monitor.Core.Indicators;
using Monitor.Core.Matching;

namespace Monitor.Tests.Matching;

public sealed class RecordMatcherTests
{
    private static readonly Regex RequestIds = new(@"\b[A-Z][A-Z0-9]{0,9}(?:-[0-9A-Z]{1,10}){1,3}\b");
    private static readonly Warninglist Benign = Warninglist.Parse("""{"values":["ip:8.8.8.8","domain:google.com"]}""");

    private static IndexedRequest Request(string id, params string[] indicators) =>
        new(id, "US", "CN", "CN", indicators.Select(Normalize).ToList());

    private static Indicator Normalize(string value) =>
        IndicatorNormalizer.TryNormalize(value, out var indicator, out var error) ? indicator : throw new ArgumentException(error);

    private static RecordMatcher Matcher(int cap = 25, params IndexedRequest[] requests) => new(new RequestIndex(requests), Benign, RequestIds, cap);

    private static List<string> Match(RecordMatcher matcher, params string[] values) =>
        matcher.Match([], [], values.Select(Normalize).ToList()).Matches
            .Select(m => $"{m.RequestId} {MatchTypes.Name(m.Type)} {m.Value} <- {m.RequestValue}").Order(StringComparer.Ordinal).ToList();

    [Theory]
    [InlineData("10.1.2.3", "R1 cidr ip:10.1.2.3 <- cidr:10.1.0.0/16")]
    [InlineData("10.1.255.255", "R1 cidr ip:10.1.255.255 <- cidr:10.1.0.0/16")]
    [InlineData("10.2.0.0", "")]
    [InlineData("192.168.0.0/24", "R2 cidr cidr:192.168.0.0/24 <- ip:192.168.0.7")]
    [InlineData("192.168.1.0/24", "")]
    [InlineData("2001:db8::1", "R3 cidr ip:2001:db8::1 <- cidr:2001:db8::/32")]
    [InlineData("a.b.evil.cn", "R4 subdomain domain:a.b.evil.cn <- domain:evil.cn")]
    [InlineData("evil.cn", "R4 exact domain:evil.cn <- domain:evil.cn")]
    [InlineData("notevil.cn", "")]
    [InlineData("evil.cn.other.org", "")]
    [InlineData("hxxps://www.evil[.]cn/login", "R4 url-host url:https://www.evil.cn/login <- domain:evil.cn")]
    [InlineData("http://evil.cn/x", "R4 url-host url:http://evil.cn/x <- domain:evil.cn")]
    [InlineData("drop.host.cn", "R5 url-host domain:drop.host.cn <- url:http://drop.host.cn/p")]
    [InlineData("http://192.168.0.7/a", "R2 url-host url:http://192.168.0.7/a <- ip:192.168.0.7")]
    [InlineData("D41D8CD98F00B204E9800998ECF8427F", "R6 exact md5:d41d8cd98f00b204e9800998ecf8427f <- md5:d41d8cd98f00b204e9800998ecf8427f")]
    public void Matches_by_value_range_domain_and_url_host(string value, string expected)
    {
        var matcher = Matcher(25,
            Request("R1", "10.1.0.0/16"),
            Request("R2", "192.168.0.7"),
            Request("R3", "2001:db8::/32"),
            Request("R4", "evil.cn"),
            Request("R5", "http://drop.host.cn/p"),
            Request("R6", "d41d8cd98f00b204e9800998ecf8427f"));
        Assert.Equal(expected.Length == 0 ? [] : [expected], Match(matcher, value));
    }

    [Fact]
    public void Warninglisted_values_are_counted_as_suppressed_not_matched()
    {
        var matcher = Matcher(25, Request("R1", "8.8.8.8", "google.com"), Request("R2", "8.0.0.0/8"));
        var outcome = matcher.Match([], [], [Normalize("8.8.8.8"), Normalize("mail.google.com")]);
        Assert.Empty(outcome.Matches);
        // 8.8.8.8 would match R1 exactly and R2 by range (2); mail.google.com is listed through its parent
        // google.com and would match R1 as a subdomain (1).
        Assert.Equal(3, outcome.Suppressed);
    }

    [Fact]
    public void A_value_matching_more_requests_than_the_cap_is_flagged_and_matches_none()
    {
        var requests = Enumerable.Range(0, 4).Select(i => Request($"R{i}", "shared.cn", $"own{i}.cn")).ToArray();
        var matcher = Matcher(3, requests);
        var outcome = matcher.Match([], [], [Normalize("shared.cn"), Normalize("own2.cn")]);
        Assert.Equal(["R2"], outcome.Matches.Select(m => m.RequestId));
        Assert.Contains("domain:shared.cn matches 4 open requests (cap 3)", Assert.Single(outcome.OverMatched));
    }

    [Fact]
    public void References_come_from_fields_and_from_known_ids_in_free_text()
    {
        var matcher = Matcher(25, Request("REQ-1"), Request("REQ-2"));
        var outcome = matcher.Match([" REQ-1 ", "REQ-9", "req-1"], ["see REQ-2 and CVE-2024-1234, also REQ-1"], []);
        Assert.Equal(
            ["REQ-1 reference known", "REQ-9 reference pending", "REQ-2 reference known"],
            outcome.Matches.Select(m => $"{m.RequestId} {MatchTypes.Name(m.Type)} {(m.Request is null ? "pending" : "known")}"));
    }
}

using Monitor.Core.Feeds;
using Monitor.Core.Indicators;
using Xunit;

namespace Monitor.Tests.Feeds.Json;

public sealed class StixPatternTests
{
    private static StixPattern Parse(string text)
    {
        Assert.True(StixPattern.TryParse(text, out var pattern, out var error), error);
        return pattern;
    }

    /// <summary>Indicators as "hint:value" for compact assertions ("?" when no hint).</summary>
    private static List<string> Found(StixPattern pattern) =>
        pattern.Indicators.Select(i => $"{(i.Hint is { } hint ? IndicatorTypes.Name(hint) : "?")}:{i.Value}").ToList();

    [Theory]
    [InlineData("[ url:value = 'http://x4z9arb.cn/4712' ]", "url:http://x4z9arb.cn/4712")]
    [InlineData("[ipv4-addr:value = '198.51.100.1']", "ip:198.51.100.1")]
    [InlineData("[ipv4-addr:value = '198.51.100.0/24']", "cidr:198.51.100.0/24")]
    [InlineData("[ipv6-addr:value = '2001:db8::1']", "ip:2001:db8::1")]
    [InlineData("[ipv6-addr:value = '2001:db8::/32']", "cidr:2001:db8::/32")]
    [InlineData("[domain-name:value = 'evil.example']", "domain:evil.example")]
    [InlineData("[email-addr:value = 'bad@evil.example']", "email:bad@evil.example")]
    [InlineData("[email-message:from_ref.value = 'bad@evil.example']", "email:bad@evil.example")]
    [InlineData("[email-message:to_refs[*].value = 'victim@good.example']", "email:victim@good.example")]
    [InlineData("[file:hashes.'MD5' = '76bd79f774ae892fd6a30b6463050a91']", "md5:76bd79f774ae892fd6a30b6463050a91")]
    [InlineData("[file:hashes.MD5 = 'aa']", "md5:aa")]
    [InlineData("[file:hashes.md5 = 'aa']", "md5:aa")]
    [InlineData("[file:hashes.'SHA-1' = 'bb']", "sha1:bb")]
    [InlineData("[file:hashes.SHA1 = 'bb']", "sha1:bb")]
    [InlineData("[file:hashes.SHA-256 = 'cc']", "sha256:cc")]
    [InlineData("[file:hashes.'SHA-256' = 'cc']", "sha256:cc")]
    [InlineData("[file:hashes.'SHA-512' = 'dd']", "sha512:dd")]
    [InlineData("[network-traffic:dst_ref.value = '203.0.113.9']", "?:203.0.113.9")]
    public void An_equality_on_a_supported_path_is_an_indicator(string text, string expected)
    {
        var pattern = Parse(text);

        Assert.Equal([expected], Found(pattern));
        Assert.Empty(pattern.Warnings);
    }

    [Fact]
    public void Or_and_and_inside_and_between_brackets_and_followedby_all_collect()
    {
        var pattern = Parse("""
            ([ipv4-addr:value = '192.0.2.1' OR domain-name:value = 'a.example'] AND [url:value = 'http://b.example/x' AND (file:hashes.MD5 = 'aa' OR file:hashes.SHA1 = 'bb')])
            FOLLOWEDBY [email-addr:value = 'c@d.example'] OR [ipv6-addr:value = '::1']
            """);

        Assert.Equal(
            ["ip:192.0.2.1", "domain:a.example", "url:http://b.example/x", "md5:aa", "sha1:bb", "email:c@d.example", "ip:::1"],
            Found(pattern));
        Assert.Empty(pattern.Warnings);
    }

    [Fact]
    public void In_yields_each_value()
    {
        var pattern = Parse("[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2','192.0.2.0/28')]");

        Assert.Equal(["ip:192.0.2.1", "ip:192.0.2.2", "cidr:192.0.2.0/28"], Found(pattern));
    }

    [Fact]
    public void Escaped_quotes_and_backslashes_are_unescaped()
    {
        var pattern = Parse(@"[url:value = 'http://x.example/it\'s\\here' OR file:name MATCHES '^evil\.exe$']");

        Assert.Equal([@"url:http://x.example/it's\here"], Found(pattern));
        Assert.Equal([@"unsupported pattern part: file:name MATCHES '^evil\.exe$'"], pattern.Warnings);
    }

    [Theory]
    [InlineData("[ipv4-addr:value != '192.0.2.1']")]
    [InlineData("[ipv4-addr:value NOT = '192.0.2.1']")]
    [InlineData("[ipv4-addr:value ISSUBSET '192.0.2.0/24']")]
    [InlineData("[domain-name:value LIKE '%.example']")]
    [InlineData("[domain-name:value MATCHES '^a']")]
    [InlineData("[file:size > 1000]")]
    [InlineData("[file:name = 'evil.exe']")]
    [InlineData("[process:pid = 4]")]
    [InlineData("[file:hashes.'SSDEEP' = '3:a:b']")]
    [InlineData("[ipv4-addr:value = 5]")]
    [InlineData("[ipv4-addr:value NOT IN ('192.0.2.1')]")]
    [InlineData("[ipv4-addr:value IN ('192.0.2.1', 7)]")]
    [InlineData("[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\Run']")]
    [InlineData("[EXISTS ipv4-addr:value]")]
    [InlineData("[artifact:payload_bin = b'aGVsbG8=']")]
    public void Other_operators_and_paths_are_warnings_not_silence(string text)
    {
        var pattern = Parse(text);

        Assert.Empty(pattern.Indicators);
        var warning = Assert.Single(pattern.Warnings);
        Assert.StartsWith("unsupported pattern part: ", warning);
        Assert.Equal(text.Trim('[', ']'), warning["unsupported pattern part: ".Length..]);
    }

    [Fact]
    public void Supported_and_unsupported_parts_mix()
    {
        var pattern = Parse("[file:name = 'x.exe' AND file:hashes.'SHA-256' = 'ef53'] OR [network-traffic:dst_port = 443]");

        Assert.Equal(["sha256:ef53"], Found(pattern));
        Assert.Equal(["unsupported pattern part: file:name = 'x.exe'", "unsupported pattern part: network-traffic:dst_port = 443"], pattern.Warnings);
    }

    [Theory]
    [InlineData("[ipv4-addr:value = '192.0.2.1'] WITHIN 600 SECONDS", "qualifier ignored: WITHIN 600 SECONDS")]
    [InlineData("[ipv4-addr:value = '192.0.2.1'] REPEATS 5 TIMES", "qualifier ignored: REPEATS 5 TIMES")]
    [InlineData("[ipv4-addr:value = '192.0.2.1'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'", "qualifier ignored: START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'")]
    public void Qualifiers_are_ignored_with_a_warning(string text, string warning)
    {
        var pattern = Parse(text);

        Assert.Equal(["ip:192.0.2.1"], Found(pattern));
        Assert.Equal([warning], pattern.Warnings);
    }

    [Theory]
    [InlineData("", "expected '[' or '('")]
    [InlineData("ipv4-addr:value = '1.2.3.4'", "expected '[' or '('")]
    [InlineData("[ipv4-addr:value = '1.2.3.4'", "expected ']'")]
    [InlineData("[ipv4-addr:value = '1.2.3.4]", "the string is not closed")]
    [InlineData("[ipv4-addr:value '1.2.3.4']", "expected a comparison operator")]
    [InlineData("[ipv4-addr = '1.2.3.4']", "expected ':' after the object type")]
    [InlineData("[ipv4-addr:value = '1.2.3.4'] AND", "expected '[' or '('")]
    [InlineData("[ipv4-addr:value = '1.2.3.4'] WITHIN SECONDS", "a number of seconds")]
    [InlineData("[ipv4-addr:value IN '1.2.3.4']", "'(' to start the IN list")]
    [InlineData("[a:b = 'x'] [c:d = 'y']", "expected AND, OR, FOLLOWEDBY or the end")]
    [InlineData("[a:b = 'x' ! 'y']", "'!' must be followed by '='")]
    [InlineData("[a:b = 'x' # ]", "unexpected '#'")]
    public void An_invalid_pattern_is_an_error_with_its_position(string text, string reason)
    {
        Assert.False(StixPattern.TryParse(text, out _, out var error));

        Assert.StartsWith("invalid STIX pattern at character ", error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Absurd_nesting_is_an_error_not_a_stack_overflow()
    {
        var text = new string('(', 50_000) + "[a:b = 'x']" + new string(')', 50_000);

        Assert.False(StixPattern.TryParse(text, out _, out var error));
        Assert.Contains("nested deeper than", error);
    }
}

using System.CommandLine;
using Monitor.Cli;

namespace Monitor.Tests.Cli;

public sealed class CliTests
{
    [Theory]
    [InlineData("run")]
    [InlineData("push")]
    [InlineData("sweep")]
    [InlineData("requests")]
    [InlineData("matches")]
    [InlineData("explain")]
    [InlineData("digest")]
    public void Every_verb_has_help(string verb)
    {
        var output = new StringWriter();
        var exit = MonitorCommands.Build().Parse([verb, "--help"]).Invoke(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output.ToString());
        Assert.Contains(verb, output.ToString());
    }

    [Theory]
    [InlineData("2026-11-20T01:00:00")]
    [InlineData("yesterday")]
    [InlineData("2026-13-01T00:00:00Z")]
    public void As_of_without_a_valid_offset_instant_is_refused_with_a_clear_error(string value)
    {
        var parse = MonitorCommands.Build().Parse(["run", "--once", "--as-of", value]);
        var error = Assert.Single(parse.Errors);
        Assert.Contains("is not an ISO-8601 instant with an offset", error.Message);
    }

    [Fact]
    public void Push_requires_a_known_kind()
    {
        var parse = MonitorCommands.Build().Parse(["push", "feed.csv", "--kind", "alerts"]);
        Assert.NotEmpty(parse.Errors);
    }

    [Fact]
    public void Storage_outages_are_told_apart_from_bad_blobs()
    {
        Assert.True(LocalHost.IsStorageOutage(new Azure.RequestFailedException(503, "Service Unavailable")));
        Assert.True(LocalHost.IsStorageOutage(new Azure.RequestFailedException(0, "no response", new HttpRequestException("Connection refused"))));
        Assert.True(LocalHost.IsStorageOutage(new AggregateException(new HttpRequestException("reset"), new IOException("broken pipe"))));
        Assert.False(LocalHost.IsStorageOutage(new Azure.RequestFailedException(400, "The property value exceeds the maximum allowed size")));
        Assert.False(LocalHost.IsStorageOutage(new InvalidOperationException("config/policy.json: bad duration")));
        Assert.False(LocalHost.IsStorageOutage(new AggregateException(new HttpRequestException("reset"), new FormatException("bad"))));
    }
}

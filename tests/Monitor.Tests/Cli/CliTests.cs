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
}

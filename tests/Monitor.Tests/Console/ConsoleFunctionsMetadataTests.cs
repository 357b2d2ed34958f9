using Monitor.Core.WebConsole;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.WebConsole;

/// <summary>
/// The console's HTTP triggers as the Functions host reads them: GET only, at the site root (host.json's route prefix is
/// empty), anonymous at the Functions level because a browser holds no function key (ConsoleHttp checks the Entra ID role).
/// </summary>
public sealed class ConsoleFunctionsMetadataTests
{
    [Theory]
    [InlineData("ConsoleBoard", "{root:maxlength(0)?}", "/")]
    [InlineData("ConsoleRequest", ConsoleRoutes.Request, "/requests/C-01")]
    [InlineData("ConsoleFeeds", ConsoleRoutes.Feeds, "/feeds")]
    [InlineData("ConsoleReview", ConsoleRoutes.Review, "/review")]
    [InlineData("ConsoleAsset", ConsoleRoutes.Asset, "/console/console.js")]
    public void Each_console_page_is_a_GET_at_the_site_root_that_the_console_serves(string function, string route, string example)
    {
        var functions = FunctionsMetadata.Load();
        Assert.True(functions.ContainsKey(function), $"{function} is not in functions.metadata");
        var trigger = functions[function].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.True(ConsoleSite.Serves(example));
    }

    [Fact]
    public void The_host_has_an_empty_route_prefix_so_that_the_console_owns_the_root_and_the_api_keeps_api()
    {
        var host = File.ReadAllText(Path.Combine(RepoPaths.Root, "functions", "Monitor.Functions", "host.json"));
        using var json = System.Text.Json.JsonDocument.Parse(host);
        Assert.Equal("", json.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        var routes = FunctionsMetadata.Load().Values
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .Where(b => b.GetProperty("type").GetString() == "httpTrigger" && b.GetProperty("authLevel").GetString() != "Anonymous")
            .Select(b => b.GetProperty("route").GetString()!);
        Assert.All(routes, r => Assert.StartsWith("api/", r));
    }
}

using System.Text.Json;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Functions;

/// <summary>The reporting API's HTTP triggers, as the Functions host reads them: GET only, function keys, never anonymous.</summary>
public sealed class ReportingFunctionsMetadataTests
{
    [Theory]
    [InlineData("GetRequests", "requests")]
    [InlineData("GetRequest", "requests/{id}")]
    [InlineData("GetAlerts", "alerts")]
    [InlineData("GetReport", "reports/{period}")]
    public void Each_reporting_route_is_a_GET_with_function_level_authorization(string function, string route)
    {
        var bin = Path.Combine(RepoPaths.Root, "functions", "Monitor.Functions", "bin");
        var metadataFile = Directory.Exists(bin)
            ? Directory.EnumerateFiles(bin, "functions.metadata", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
        Assert.True(metadataFile is not null, $"no functions.metadata under {bin}: build Monitor.sln first (scripts/test.sh does)");

        using var doc = JsonDocument.Parse(File.ReadAllText(metadataFile));
        var functions = doc.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
        Assert.True(functions.ContainsKey(function), $"{function} is not in {metadataFile}");
        var trigger = functions[function].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal("Function", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
    }
}

namespace Monitor.Tests.Infra;

/// <summary>CI builds and lints the infrastructure with the bicep CLI from NuGet: both must pass with no diagnostic at all.</summary>
public sealed class BicepTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    [Fact]
    public void Build_succeeds_with_no_warnings()
    {
        Assert.Equal(0, compiled.Build.ExitCode);
        // Diagnostics go to stderr as "<file>(line,col) : Warning|Error <code>: ..."; a clean build prints nothing there.
        Assert.True(compiled.Build.StandardError.Trim().Length == 0, $"bicep build printed diagnostics:\n{compiled.Build.StandardError}");
        Assert.StartsWith("{", compiled.Build.StandardOutput.TrimStart());
    }

    [Fact]
    public async Task Lint_passes_with_no_warnings()
    {
        var lint = await BicepCli.RunAsync(CancellationToken.None, "lint", BicepCli.MainTemplate);

        Assert.True(lint.ExitCode == 0, lint.Describe());
        var output = lint.StandardOutput + lint.StandardError;
        Assert.DoesNotContain(" : Warning ", output);
        Assert.DoesNotContain(" : Error ", output);
        Assert.True(output.Trim().Length == 0, $"bicep lint printed:\n{output}");
    }

    [Fact]
    public async Task The_event_grid_module_the_postdeploy_hook_deploys_builds_and_lints_clean_on_its_own()
    {
        var module = Path.Combine(Path.GetDirectoryName(BicepCli.MainTemplate)!, "modules", "eventgrid.bicep");

        var build = await BicepCli.RunAsync(CancellationToken.None, "build", module, "--stdout");
        var lint = await BicepCli.RunAsync(CancellationToken.None, "lint", module);

        Assert.True(build.ExitCode == 0 && build.StandardError.Trim().Length == 0, build.Describe());
        Assert.True(lint.ExitCode == 0 && (lint.StandardOutput + lint.StandardError).Trim().Length == 0, lint.Describe());
    }

    [Fact]
    public async Task Lint_reports_a_warning_when_there_is_one()
    {
        // Guards the assertions above: a template with an unused parameter must make lint speak (no-unused-params is an error in bicepconfig.json).
        var dir = Directory.CreateTempSubdirectory("bicep-lint-");
        try
        {
            File.Copy(Path.Combine(Path.GetDirectoryName(BicepCli.MainTemplate)!, "bicepconfig.json"), Path.Combine(dir.FullName, "bicepconfig.json"));
            var file = Path.Combine(dir.FullName, "bad.bicep");
            await File.WriteAllTextAsync(file, "param unused string\nvar alsoUnused = 1\n");

            var lint = await BicepCli.RunAsync(CancellationToken.None, "lint", file);

            Assert.NotEqual(0, lint.ExitCode);
            Assert.Contains("no-unused-params", lint.StandardOutput + lint.StandardError);
            Assert.Contains("no-unused-vars", lint.StandardOutput + lint.StandardError);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

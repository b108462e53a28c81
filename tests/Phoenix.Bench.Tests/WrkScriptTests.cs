using System.Diagnostics;
using System.Globalization;

namespace Phoenix.Bench.Tests;

/// <summary>
/// bench/gateway/execute.lua, as bench/run.sh uses it: wrk posts the run request and the script's <c>done</c> prints the
/// line run.sh parses. Needs wrk (Debian package <c>wrk</c>).
/// </summary>
public sealed class WrkScriptTests(InstantBackendFixture fixture) : IClassFixture<InstantBackendFixture>
{
    [Fact]
    public async Task ExecuteLua_OneSecondAgainstTheBackend_PrintsRequestsAndLatenciesWithoutErrors()
    {
        // One request first, so that wrk's 2 s timeout is not spent on a cold endpoint of a busy machine.
        using (var http = new HttpClient { BaseAddress = fixture.Backend.HttpAddress })
        {
            using var warm = await http.PostAsync("/api/v1/execute", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
            warm.EnsureSuccessStatusCode();
        }

        var before = Phoenix.Bench.InstantExecutor.InstantBackend.HttpRuns;
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-t1", "-c1", "-d1s", "--timeout", "10s", "-s", Path.Join(RepositoryRoot.Path, "bench", "gateway", "execute.lua"), fixture.Backend.HttpAddress.ToString() })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PHOENIX_BENCH_KEY"] = "phx_test";
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("wrk is required for the gateway benchmark: apt-get install -y wrk", ex);
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();

            Assert.True(process.ExitCode == 0, output + await errors);
            var line = Assert.Single(output.Split('\n'), l => l.StartsWith("WRK ", StringComparison.Ordinal));
            var fields = line.Split(' ').Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(6, fields.Length);
            var (requests, durationUs, p50Us, p99Us, non2xx, socketErrors) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
            Assert.True(requests > 0 && durationUs > 0 && p50Us > 0 && p99Us >= p50Us, line);
            Assert.True(non2xx == 0 && socketErrors == 0, output + await errors);
            Assert.True(Phoenix.Bench.InstantExecutor.InstantBackend.HttpRuns - before >= requests, "the requests reached the backend's execute endpoint");
        }
    }
}

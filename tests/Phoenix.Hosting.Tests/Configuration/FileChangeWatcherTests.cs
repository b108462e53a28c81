using Microsoft.Extensions.Time.Testing;
using Phoenix.Hosting.Configuration;

namespace Phoenix.Hosting.Tests.Configuration;

public sealed class FileChangeWatcherTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly string _directory = Directory.CreateTempSubdirectory("phoenix-watcher-tests-").FullName;
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Watch_FileUnchanged_TokenDoesNotFire()
    {
        var path = Write("a.json", "{}");
        using var watcher = new FileChangeWatcher(path, _time, Interval);
        var token = watcher.Watch();

        _time.Advance(Interval * 5);

        Assert.False(token.HasChanged);
    }

    [Fact]
    public void Watch_FileRewritten_TokenFiresAtNextPoll()
    {
        var path = Write("a.json", "{}");
        using var watcher = new FileChangeWatcher(path, _time, Interval);
        var token = watcher.Watch();

        File.WriteAllText(path, """{"changed": true}""");
        var beforePoll = token.HasChanged;
        _time.Advance(Interval);

        Assert.False(beforePoll);
        Assert.True(token.HasChanged);
        Assert.False(watcher.Watch().HasChanged);
    }

    [Fact]
    public void Watch_FileDeletedThenCreated_FiresEachTime()
    {
        var path = Write("a.json", "{}");
        using var watcher = new FileChangeWatcher(path, _time, Interval);
        var first = watcher.Watch();

        File.Delete(path);
        _time.Advance(Interval);
        var second = watcher.Watch();
        Write("a.json", "{ }");
        _time.Advance(Interval);

        Assert.True(first.HasChanged);
        Assert.True(second.HasChanged);
    }

    [Fact]
    public void Watch_FileMissingAtStartThenCreated_Fires()
    {
        var path = Path.Combine(_directory, "late.json");
        using var watcher = new FileChangeWatcher(path, _time, Interval);
        var token = watcher.Watch();

        Write("late.json", "{}");
        _time.Advance(Interval);

        Assert.True(token.HasChanged);
    }

    [Fact]
    public void Dispose_ThenPoll_NoFireAndNoThrow()
    {
        var path = Write("a.json", "{}");
        var watcher = new FileChangeWatcher(path, _time, Interval);
        var token = watcher.Watch();
        watcher.Dispose();

        File.WriteAllText(path, "{\"x\":1}");
        watcher.Poll();
        _time.Advance(Interval);

        Assert.False(watcher.Watch().HasChanged);
        Assert.False(token.ActiveChangeCallbacks && token.HasChanged);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}

namespace Phoenix.Gateway.Tests.Support;

/// <summary>Polls a condition that another process or a background check makes true, with a generous bound (not a timing assert).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Condition not met within {seconds} s.");
            await Task.Delay(100);
        }
    }
}

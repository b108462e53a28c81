using Phoenix.Executor;
using Phoenix.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddExecutorServices();

var app = builder.Build();
app.MapExecutor();
app.Run();

/// <summary>The executor's entry point (public for test hosts).</summary>
public partial class Program;

// Opens the HTML report in headless Chromium, expands the first finding, takes a screenshot,
// and exits 1 on any console error, page error or network request. Run by render-html.sh.
const { chromium } = require("playwright-core");
const { pathToFileURL } = require("url");

const [executablePath, report, screenshot] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const problems = [];
  const page = await browser.newPage({ viewport: { width: 1360, height: 1100 } });
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  const url = pathToFileURL(report).href;
  page.on("request", (req) => {
    if (req.url() !== url) problems.push(`request: ${req.url()}`);
  });
  await page.goto(url, { waitUntil: "load" });

  const rows = await page.locator("table.matrix tbody tr").count();
  const findings = await page.locator("details.finding").count();
  if (rows === 0) problems.push("the scenario x rule matrix has no rows");
  if (findings === 0) problems.push("no finding to expand");
  // A reader clicks a finding open: <details> needs no script for that.
  const first = page.locator("details.finding").first();
  await first.locator("summary").click();
  if (!(await first.evaluate((d) => d.open))) problems.push("a finding did not expand");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshot });
  await browser.close();

  console.log(`rendered ${report}: ${rows} scenario rows, ${findings} findings; screenshot ${screenshot}`);
  if (problems.length > 0) {
    console.error(problems.join("\n"));
    process.exit(1);
  }
  console.log("no console errors, page errors or network requests");
})().catch((err) => {
  console.error(err);
  process.exit(1);
});

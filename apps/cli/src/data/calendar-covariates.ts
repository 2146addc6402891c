import { type Float32Array2D, US_HOLIDAYS, usHoliday } from '@recur/datasets';

/**
 * Calendar covariates of a day, known in advance for any day to forecast. Births fall by a
 * fifth to a quarter on the federal holidays and on the days around Christmas and New Year
 * (inductions and caesareans are booked around them), and those days move against the
 * weekly calendar from year to year; a base forecast that repeats the same weekday a year
 * before is wrong on exactly those days. The weekday itself is one-hot.
 */
export const CALENDAR_COVARIATES = [
  ...US_HOLIDAYS,
  'christmas-eve',
  // 26–30 December: between the holidays, and catching up after them.
  'christmas-week',
  'new-year-eve',
  'january-2',
  'thanksgiving-friday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
export type CalendarCovariate = (typeof CALENDAR_COVARIATES)[number];

const DAY_MS = 86_400_000;
const WEEKDAYS = CALENDAR_COVARIATES.slice(-7);

/** The holiday-like names that hold on an ISO date besides its weekday. */
function seasonalDays(date: string): CalendarCovariate[] {
  const names: CalendarCovariate[] = [];
  const holiday = usHoliday(date);
  if (holiday !== undefined) names.push(holiday);
  const monthDay = date.slice(5);
  if (monthDay === '12-24') names.push('christmas-eve');
  if (monthDay >= '12-26' && monthDay <= '12-30') names.push('christmas-week');
  if (monthDay === '12-31') names.push('new-year-eve');
  if (monthDay === '01-02') names.push('january-2');
  const dayBefore = new Date(Date.parse(`${date}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
  if (usHoliday(dayBefore) === 'thanksgiving') names.push('thanksgiving-friday');
  return names;
}

/**
 * The covariates of each date (ISO 'YYYY-MM-DD', 1942 or later): `[dates.length,
 * CALENDAR_COVARIATES.length]`, 1 where a name holds and 0 elsewhere.
 */
export function calendarCovariates(dates: readonly string[]): Float32Array2D {
  const width = CALENDAR_COVARIATES.length;
  const data = new Float32Array(dates.length * width);
  dates.forEach((date, row) => {
    const weekday = WEEKDAYS[(new Date(Date.parse(`${date}T00:00:00Z`)).getUTCDay() + 6) % 7] as CalendarCovariate;
    for (const name of [...seasonalDays(date), weekday]) data[row * width + CALENDAR_COVARIATES.indexOf(name)] = 1;
  });
  return { data, shape: [dates.length, width] };
}

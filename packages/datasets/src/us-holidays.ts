import { badArgument } from '@recur/core';

/**
 * The US federal holidays that move daily counts such as births (scheduled inductions and
 * caesareans are not booked on them): the days themselves, not the weekday a holiday on a
 * weekend is observed on.
 */
export const US_HOLIDAYS = [
  'new-year',
  'memorial-day',
  'independence-day',
  'labor-day',
  'thanksgiving',
  'christmas',
] as const;
/** One of {@link US_HOLIDAYS}: the name `usHoliday` gives a date that is one. */
export type UsHoliday = (typeof US_HOLIDAYS)[number];

/** Thanksgiving has been the fourth Thursday of November since 1942 (Pub. L. 77-379); earlier years had other rules. */
const FIRST_YEAR = 1942;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONDAY = 1;
const THURSDAY = 4;

/** Day of the month of the `n`th `weekday` (0 Sunday … 6 Saturday) of `month` (1–12). */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  return 1 + ((weekday - first + 7) % 7) + 7 * (n - 1);
}

/** Day of the month of the last `weekday` of `month`. */
function lastWeekday(year: number, month: number, weekday: number): number {
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = new Date(Date.UTC(year, month - 1, days)).getUTCDay();
  return days - ((last - weekday + 7) % 7);
}

/**
 * The federal holiday falling on `date` ('YYYY-MM-DD', 1942 or later), or undefined. Memorial
 * Day is 30 May until 1970 and the last Monday of May from 1971 (Uniform Monday Holiday Act);
 * Labor Day is the first Monday of September, Thanksgiving the fourth Thursday of November.
 *
 * @throws RecurError `BAD_DATA` when `date` is not a real calendar date in that form.
 */
export function usHoliday(date: string): UsHoliday | undefined {
  const match = typeof date === 'string' ? ISO_DATE.exec(date) : null;
  const [year, month, day] = (match?.slice(1) ?? []).map(Number) as [number, number, number];
  const real =
    match !== null && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day && month >= 1 && month <= 12;
  if (!real || year < FIRST_YEAR) {
    throw badArgument('BAD_DATA', 'date', `a calendar date 'YYYY-MM-DD' in ${FIRST_YEAR} or later`, date);
  }
  if (month === 1 && day === 1) return 'new-year';
  if (month === 5 && day === (year < 1971 ? 30 : lastWeekday(year, 5, MONDAY))) return 'memorial-day';
  if (month === 7 && day === 4) return 'independence-day';
  if (month === 9 && day === nthWeekday(year, 9, MONDAY, 1)) return 'labor-day';
  if (month === 11 && day === nthWeekday(year, 11, THURSDAY, 4)) return 'thanksgiving';
  if (month === 12 && day === 25) return 'christmas';
  return undefined;
}

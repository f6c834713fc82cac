// Every command of the CLI, in the order `dsar --help` lists them. Each module is small: it declares its options
// and imports its operation only when run, so that starting the CLI loads none of them.
import type { Command } from '../command.ts';
import budget from './budget.ts';
import datamap from './datamap.ts';
import demo from './demo.ts';
import erase from './erase.ts';
import exportCommand from './export.ts';
import extract from './extract.ts';
import hold from './hold.ts';
import jobs from './jobs.ts';
import optout from './optout.ts';
import requests from './requests.ts';
import runJob from './run-job.ts';
import scan from './scan.ts';
import schedule from './schedule.ts';
import sweep from './sweep.ts';
import verify from './verify.ts';
import worker from './worker.ts';

export const COMMANDS: Command<any>[] = [budget, datamap, demo, erase, exportCommand, extract, hold, jobs, optout, requests, runJob, scan, schedule, sweep, verify, worker];

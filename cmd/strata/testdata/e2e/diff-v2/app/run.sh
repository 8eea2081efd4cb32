#!/bin/sh
cat /app/config.ini

app/dev/tool.sh
